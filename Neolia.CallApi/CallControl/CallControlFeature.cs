using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

public static class CallControlFeature
{
    /// <summary>
    /// ARI call control, the one way door calls reach CallApi: an event stream to each Asterisk of
    /// <c>CallControl:Asterisks</c>, the router that hands each event and API decision to its call, and the parts of a door call (setup, SIP
    /// legs, the LiveKit bridge, the ending, recovery after a reconnect). Every replica registers its own Stasis
    /// application and claims the door calls the dialplan broadcasts when it can serve them (<see cref="DoorCallClaims"/>);
    /// decisions about a call another replica controls are handed to it (<see cref="DoorCallCommands"/>).
    /// </summary>
    public static IHostApplicationBuilder AddCallControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CallControlOptions>(CallControlOptions.Section);
        // ARI requests change a live call (originate, hang up): a retry could do it twice, and a slow answer is a
        // failure to report, not to wait out. No resilience pipeline, a short timeout.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(AriClient.HttpClientName, c => c.Timeout = AriClient.RequestTimeout).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<AsteriskServers>();
        builder.Services.AddSingleton<CallSetupSlots>();
        builder.Services.AddSingleton<DatabaseProbe>();
        builder.Services.AddSingleton<DoorCallClaims>();
        builder.Services.AddSingleton<DoorCallCommands>();
        builder.Services.AddSingleton<DoorCallRegistry>();
        builder.Services.AddSingleton<DoorCallEnding>();
        builder.Services.AddSingleton<DoorBridge>();
        builder.Services.AddSingleton<SipLegs>();
        builder.Services.AddSingleton<LiveKitBridge>();
        builder.Services.AddSingleton<DoorCallSetup>();
        builder.Services.AddSingleton<DoorCodeSender>();
        builder.Services.AddSingleton<DoorOpeningCalls>();
        builder.Services.AddSingleton<DoorOpenings.ISipDoorOpener>(sp => sp.GetRequiredService<DoorOpeningCalls>());
        builder.Services.AddSingleton<CallRecovery>();
        builder.Services.AddSingleton<ControlLeases>();
        builder.Services.AddSingleton<DoorCallRouter>();
        builder.Services.AddSingleton<IDoorCallControl>(sp => sp.GetRequiredService<DoorCallRouter>());
        builder.Services.AddHostedService<CallSetupWarmup>();
        // Without ARI (a CallApi serving only the API) no door call arrives; the rest still answers for calls in the database.
        if (builder.Configuration.GetSection($"{CallControlOptions.Section}:Asterisks").GetChildren().Any())
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseProbe>());
            builder.Services.AddHostedService<DoorCallCommandListener>();
            builder.Services.AddHostedService<AriEventStream>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ControlLeases>());
            builder.Services.AddHostedService<CallTakeover>();
        }
        return builder;
    }
}
