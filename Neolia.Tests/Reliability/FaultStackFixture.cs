using System.Diagnostics;
using System.Security.Cryptography;
using Neolia.DevStack;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Reliability;

/// <summary>
/// A stack of its own for tests that stop and restart its PostgreSQL and Redis under a listening resident, with the
/// Data Protection key ring encrypted under a configured key (as in Production). Faults are injected through the
/// servers' public members; PostgreSQL is stopped with SIGINT to its postmaster and started again on the same data
/// directory and port (<see cref="StopPostgresAsync"/>), since <see cref="PostgresServer"/> has no stop-and-start.
/// </summary>
public sealed class FaultStackFixture : StackFixture
{
    /// <summary>Its tests stop, kill or restart parts of the stack: DevStack's processes, not the AppHost.</summary>
    protected override bool RunsOnAppHost => false;

    public static readonly string KeyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public const string KeyEncryptionKeyId = "fault-tests-2026";

    private readonly List<IAsyncDisposable> _restarted = [];

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>> { ["callapi"] = CallApiExtraSettings };

    /// <summary>The password of Asterisk's database role, which CallApi creates (Asterisk:Realtime:Password).</summary>
    public static readonly string RealtimePassword = "realtime-" + Guid.NewGuid().ToString("N");

    public static IReadOnlyDictionary<string, string?> CallApiExtraSettings => new Dictionary<string, string?>
    {
        ["DataProtection__KeyEncryptionKey"] = KeyEncryptionKey,
        ["DataProtection__KeyEncryptionKeyId"] = KeyEncryptionKeyId,
        ["Asterisk__Realtime__Password"] = RealtimePassword,
    };

    /// <summary>Whether this run owns its servers (NEOLIA_TEST_POSTGRES / NEOLIA_TEST_REDIS share outside ones, which a test must not stop).</summary>
    public bool OwnsServers => Processes.Postgres is not null && Processes.Redis is not null;

    private string PostgresDataDirectory => Path.Combine(Path.GetDirectoryName(Stack.LogDirectory)!, "postgres");

    /// <summary>Stops PostgreSQL the way an operator or a crash-restart would (fast shutdown) and waits until it refuses connections.</summary>
    public async Task StopPostgresAsync()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(PostgresDataDirectory, "postmaster.pid")).First());
        using (var kill = Process.Start("kill", ["-INT", pid.ToString()])) await kill.WaitForExitAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (File.Exists(Path.Combine(PostgresDataDirectory, "postmaster.pid")) && DateTime.UtcNow < deadline) await Task.Delay(50);
    }

    /// <summary>Starts PostgreSQL again on the same data directory and port.</summary>
    public async Task StartPostgresAsync()
    {
        var server = await PostgresServer.StartAsync(PostgresDataDirectory, Processes.Postgres!.Port, Stack.LogDirectory, fast: true, Processes.Postgres.Password);
        _restarted.Add(server);
    }

    /// <summary>
    /// A second CallApi process on the same PostgreSQL and Redis, as a new deployment or replica would start (without
    /// call control: the stand-in Asterisk serves one ARI client, the stack's CallApi).
    /// </summary>
    public async Task<ServiceProcess> StartFreshCallApiAsync(string name)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__neolia"] = Stack.DatabaseConnectionString,
            ["ConnectionStrings__redis"] = Stack.RedisConnectionString,
            ["Jwt__SigningKey"] = Secrets.JwtSigningKey,
            ["LiveKit__Url"] = "ws://127.0.0.1:1",
            ["LiveKit__ApiUrl"] = "http://127.0.0.1:1",
            ["LiveKit__ApiKey"] = Secrets.LiveKitApiKey,
            ["LiveKit__ApiSecret"] = Secrets.LiveKitApiSecret,
            ["Seed__Enabled"] = "false",
        };
        foreach (var (key, value) in CallApiExtraSettings) settings[key] = value;
        var service = await ServiceProcess.StartAsync(name, "Neolia.CallApi", FreePort.Next(), settings, Stack.LogDirectory);
        _restarted.Add(service);
        return service;
    }

    /// <summary>
    /// The tenant's door rings (its channel enters the Stasis application) and the time until CallApi has decided what
    /// the door gets, as <paramref name="decided"/> sees it in Asterisk (e.g. its SIP phones dialled, or the door handed
    /// back to the dialplan's fallback). Throws past <paramref name="timeout"/>.
    /// </summary>
    public async Task<(string Door, TimeSpan Took)> TimedRingAsync(Administration.AdminTenant tenant, Func<string, bool> decided, TimeSpan? timeout = null)
    {
        var started = Stopwatch.GetTimestamp();
        var door = await this.RingDoorAsync(tenant);
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        while (!decided(door))
        {
            if (Stopwatch.GetElapsedTime(started) > limit) throw new TimeoutException($"CallApi decided nothing for door channel {door} within {limit.TotalSeconds:F0} s");
            await Task.Delay(5);
        }
        return (door, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The SIP username of the tenant's indoor monitor, registered with the stand-in Asterisk (so CallApi dials it).</summary>
    public async Task<string> RegisterMonitorAsync(Administration.AdminTenant tenant)
    {
        var monitor = (await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.MonitorId}")).GetProperty("sipUsername").GetString()!;
        await Asterisk.RegisterAsync(monitor, announce: false);
        return monitor;
    }

    /// <summary>Waits until CallApi reports ready again (after a fault the Redis refill must have run).</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var health = await CallApi.GetAsync("/health");
                if (health.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("CallApi did not become healthy again.");
            await Task.Delay(100);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var restarted in Enumerable.Reverse(_restarted)) await restarted.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FaultStackCollection : ICollectionFixture<FaultStackFixture>
{
    public const string Name = "stack whose servers the tests stop";
}

/// <summary>Figures the fault tests print (answer times, faults survived), one line each, for docs/reliability.md.</summary>
public static class Figures
{
    public static void Print(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        Console.WriteLine($"[figures] {line}");
    }
}
