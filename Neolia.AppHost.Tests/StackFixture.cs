using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Neolia.AppHost.Tests;

/// <summary>
/// Starts the real AppHost once for the tests of a class, in the local-processes mode (PostgreSQL and Redis from the
/// machine's packages, no container resource), with secrets generated for the run and a state directory of its own.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly string[] Resources = ["postgres", "neolia", "redis", "callapi", "notifier", "gateway", "mediarelay", "adminconsole"];

    public string JwtSigningKey { get; } = Secret(64);
    public string PostgresPassword { get; } = Secret(24);
    public string RedisPassword { get; } = Secret(24);
    public string DemoPassword { get; } = "Demo-" + Secret(16) + "!1a";
    public string KeyEncryptionKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public string StateDirectory { get; } = Path.Combine(Path.GetTempPath(), "neolia-apphost-tests", Guid.NewGuid().ToString("N")[..12]);

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        string[] args =
        [
            "Neolia:Infrastructure=local",
            $"Neolia:Local:StateDirectory={StateDirectory}",
            "Neolia:Local:FastPostgres=true",
            "Neolia:StackFile=",
            $"Parameters:livekit-api-key=test-{Secret(8)}",
            $"Parameters:livekit-api-secret={Secret(48)}",
            $"Parameters:jwt-signing-key={JwtSigningKey}",
            $"Parameters:postgres-password={PostgresPassword}",
            $"Parameters:redis-password={RedisPassword}",
            $"Parameters:demo-password={DemoPassword}",
            $"Parameters:demo-sip-password={Secret(16)}",
            $"Parameters:dataprotection-key={KeyEncryptionKey}",
            // The stack these tests check has no Asterisk, even where one is installed.
            "Neolia:Local:Asterisk=/nonexistent",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Neolia_AppHost>(args, timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        try
        {
            foreach (var resource in Resources) await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The stack did not become healthy in 3 minutes:\n{await DescribeAsync()}");
        }
    }

    /// <summary>The state and health of every resource, for a failure message.</summary>
    public async Task<string> DescribeAsync()
    {
        var text = new StringBuilder();
        foreach (var name in Resources)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                var e = await App.ResourceNotifications.WaitForResourceAsync(name, _ => true, quick.Token);
                text.AppendLine($"{name}: {e.Snapshot.State?.Text} health={e.Snapshot.HealthStatus} " +
                    string.Join(", ", e.Snapshot.HealthReports.Select(r => $"{r.Name}={r.Status} {r.ExceptionText?.Split('\n')[0]}")));
            }
            catch (OperationCanceledException)
            {
                text.AppendLine($"{name}: no state");
            }
        }
        return text.ToString();
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        try { Directory.Delete(StateDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string Secret(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();
}
