namespace Neolia.DevStack;

/// <summary>
/// The AppHost's command line for a test's stack: the local-processes mode on a state directory of the test's own,
/// with <see cref="StackSecrets"/> as its parameters (Neolia.Tests' AppHostStack and Neolia.AppHost.Tests start it so).
/// </summary>
public static class AppHostArguments
{
    public static string[] Local(string stateDirectory, StackSecrets secrets, int notifierReplicas = 1) =>
    [
        "Neolia:Infrastructure=local",
        $"Neolia:Local:StateDirectory={stateDirectory}",
        "Neolia:Local:FastPostgres=true",
        // No Asterisk in the model even where one is installed: the tests bring their own ARI stand-in.
        "Neolia:Local:Asterisk=/nonexistent",
        "Neolia:StackFile=",
        $"Neolia:NotifierReplicas={notifierReplicas}",
        $"Parameters:livekit-api-key={secrets.LiveKitApiKey}",
        $"Parameters:livekit-api-secret={secrets.LiveKitApiSecret}",
        $"Parameters:jwt-signing-key={secrets.JwtSigningKey}",
        $"Parameters:postgres-password={secrets.PostgresPassword}",
        $"Parameters:redis-password={secrets.RedisPassword}",
        $"Parameters:demo-password={secrets.DemoPassword}",
        $"Parameters:demo-sip-password={secrets.DemoSipPassword}",
        $"Parameters:dataprotection-key={secrets.KeyEncryptionKey}",
        $"Parameters:media-relay-secret={secrets.MediaRelaySecret}",
    ];
}
