using System.Text.Json;
using Neolia.DevStack;

namespace Neolia.Bench;

/// <summary>
/// The stack under test, started here with DevStack's code, its CallApi's call control connected to the bench's
/// <see cref="AriDoors"/>. (A stack under the AppHost takes door calls from its own Asterisk only: ring it with sipp.)
/// </summary>
public sealed class BenchStack : IAsyncDisposable
{
    private LocalStack? _owned;
    private LiveKitStub? _liveKit;
    private AriDoors? _doors;
    private readonly List<ServiceProcess> _extraGateways = [];

    public required IReadOnlyList<Uri> Gateways { get; init; }
    public required Uri CallApi { get; init; }
    /// <summary>Asterisk as CallApi's call control sees it: the doors ring through it.</summary>
    public required AriDoors Doors { get; init; }
    public required string JwtSigningKey { get; init; }
    public required string DatabaseConnectionString { get; init; }
    public required string DemoPassword { get; init; }
    public required IReadOnlyList<(string Name, int Pid)> Processes { get; init; }

    /// <summary>
    /// PostgreSQL (its postmaster: its CPU is counted with all its backends') and Redis of a started stack, for their
    /// CPU per call; empty when attached to a running stack.
    /// </summary>
    public IReadOnlyList<(string Name, int Pid, bool WithChildren)> Infrastructure { get; init; } = [];

    public IEnumerable<(string Name, int Pid)> EdgeProcesses =>
        Processes.Where(p => p.Name.StartsWith("gateway", StringComparison.Ordinal) || p.Name.StartsWith("notifier", StringComparison.Ordinal));

    public static async Task<BenchStack> StartAsync(BenchOptions options)
    {
        var state = Path.Combine(Path.GetTempPath(), "neolia-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss"));
        var extra = new Dictionary<string, IReadOnlyDictionary<string, string?>>();
        var doors = await AriDoors.StartAsync(options.CallApis);
        // Door calls reach CallApi the one way they do in production: ARI.
        var callApi = new Dictionary<string, string?>
        {
            ["CallControl__Asterisks__0__Name"] = "asterisk",
            ["CallControl__Asterisks__0__AriUrl"] = doors.Url.ToString().TrimEnd('/'),
            ["CallControl__Asterisks__0__AriUsername"] = AriDoors.Username,
            ["CallControl__Asterisks__0__AriPassword"] = doors.Password,
        };
        // The bench signs a few residents in through the gateway; the sign-in limit is for people.
        var gateway = new Dictionary<string, string?> { ["Edge__AuthRequestsPerMinute"] = "100000" };
        foreach (var (service, settings) in options.Settings)
        {
            var target = service switch { "gateway" => gateway, "callapi" => callApi, _ => new Dictionary<string, string?>() };
            foreach (var (k, v) in settings) target[k] = v;
            extra[service] = target;
        }
        extra["gateway"] = gateway;
        extra["callapi"] = callApi;

        Console.Error.WriteLine($"Starting the stack ({options.CallApis} CallApi(s), {options.Notifiers} Notifier(s), {options.Gateways} gateway(s), {options.Environment}) in {state} ...");
        var secrets = StackSecrets.Generate();
        var liveKit = await LiveKitStub.StartAsync();
        var stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            LiveKitApiUrl = liveKit.Url.ToString().TrimEnd('/'),
            StateDirectory = state,
            Secrets = secrets,
            NotifierReplicas = options.Notifiers,
            CallApiReplicas = options.CallApis,
            Environment = options.Environment,
            FastPostgres = options.FastPostgres,
            ExtraSettings = extra,
        });
        var extraGateways = new List<ServiceProcess>();
        try
        {
            for (var i = 1; i < options.Gateways; i++)
            {
                var settings = new Dictionary<string, string?>(gateway) { ["ASPNETCORE_ENVIRONMENT"] = options.Environment };
                settings.AddServiceEndpoints("callapi", stack.CallApis);
                settings.AddServiceEndpoints("notifier", stack.Notifiers);
                extraGateways.Add(await ServiceProcess.StartAsync($"gateway-{i}", "Neolia.Gateway", FreePort.Next(), settings, stack.LogDirectory));
            }
        }
        catch
        {
            foreach (var g in extraGateways) await g.DisposeAsync();
            await stack.DisposeAsync();
            throw;
        }

        var infrastructure = new List<(string, int, bool)>();
        // postmaster.pid's first line is the postmaster's pid; setpriv (as root) execs PostgreSQL, so it is ours too.
        var postmasterPid = Path.Combine(state, "postgres", "postmaster.pid");
        if (File.Exists(postmasterPid) && int.TryParse(File.ReadLines(postmasterPid).First(), out var postgresPid)) infrastructure.Add(("postgres", postgresPid, true));
        if (ProcessStats.ChildrenNamed(Environment.ProcessId, "redis-server").FirstOrDefault() is var redisPid and > 0) infrastructure.Add(("redis", redisPid, false));
        var processes = new List<(string, int)> { ("gateway", stack.Gateway.ProcessId) };
        processes.InsertRange(0, stack.CallApis.Select(c => (c.Name, c.ProcessId)));
        processes.AddRange(extraGateways.Select(g => (g.Name, g.ProcessId)));
        processes.AddRange(stack.Notifiers.Select(n => (n.Name, n.ProcessId)));
        var handle = new BenchStack
        {
            Gateways = [stack.GatewayUrl, .. extraGateways.Select(g => g.Url)],
            CallApi = stack.CallApi.Url,
            Doors = doors,
            JwtSigningKey = secrets.JwtSigningKey,
            DatabaseConnectionString = stack.DatabaseConnectionString,
            DemoPassword = secrets.DemoPassword,
            Processes = processes,
            Infrastructure = infrastructure,
        };
        handle._owned = stack;
        handle._liveKit = liveKit;
        handle._doors = doors;
        handle._extraGateways.AddRange(extraGateways);
        return handle;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var g in _extraGateways) await g.DisposeAsync();
        if (_owned is not null) await _owned.DisposeAsync();
        if (_liveKit is not null) await _liveKit.DisposeAsync();
        if (_doors is not null) await _doors.DisposeAsync();
    }
}
