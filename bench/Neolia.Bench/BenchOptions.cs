using System.Globalization;

namespace Neolia.Bench;

/// <summary>One load phase: <see cref="Rate"/> door calls per second, evenly spaced, for <see cref="Seconds"/>.</summary>
public sealed record Phase(string Name, double Rate, double Seconds, bool Measured = true);

/// <summary>The command line (see <c>--help</c>).</summary>
public sealed class BenchOptions
{
    public int Notifiers { get; private set; } = 2;
    public int CallApis { get; private set; } = 1;
    public int Gateways { get; private set; } = 1;
    public int Sockets { get; private set; } = 1000;
    public int ResidentsPerApartment { get; private set; } = 2;
    public int ClientProcesses { get; private set; } = 1;
    public int ConnectConcurrency { get; private set; } = 64;
    public double WarmupSeconds { get; private set; } = 3;
    public double WarmupRate { get; private set; } = 50;
    public List<Phase> Phases { get; } = [];
    public double RecoveryThresholdMs { get; private set; } = 100;
    public double AnswerTimeoutSeconds { get; private set; } = 3;
    public double SettleSeconds { get; private set; } = 3;
    public double HoldSeconds { get; private set; }
    public double IdleMeasureSeconds { get; private set; } = 60;
    public double DrainSeconds { get; private set; } = 5;
    public bool AwaitMissed { get; private set; }
    public bool TokenInHeader { get; private set; }
    public string Environment { get; private set; } = "Development";
    public bool FastPostgres { get; private set; }
    public string? JsonOut { get; private set; }
    public string? Label { get; private set; }
    public Dictionary<string, Dictionary<string, string?>> Settings { get; } = [];

    public const string Help = """
        Neolia.Bench: ring latency and socket capacity (issue 7).

          --notifiers N              Notifier replicas of the started stack (2)
          --callapis N               CallApi replicas, each its own Stasis application claiming the door calls offered to all (1)
          --gateways N               gateway processes (1); sockets are spread over them round robin
          --sockets N                resident sockets to connect (1000)
          --residents-per-apartment K  residents (= sockets) rung by one call (2)
          --client-processes P       split the sockets over P processes (each is limited to ulimit -n descriptors)
          --rate R --seconds S       one measured phase of R door calls/s for S seconds (StasisStart over ARI) (repeatable: phases run in order)
          --phase NAME:R:S           a named measured phase (repeatable)
          --warmup-seconds S --warmup-rate R   unmeasured warm-up first (3 s at 50/s)
          --recovery-threshold-ms T  a phase's recovery time = until every call is answered and rung within T (100)
          --answer-timeout S         how long CallApi may take to act on a door's channel before the call counts as timed out (3)
          --environment NAME         ASPNETCORE_ENVIRONMENT of the started stack (Development)
          --fast-postgres            no fsync / synchronous_commit in the started PostgreSQL
          --set service:Key=Value    extra configuration for a started service (callapi, notifier, gateway)
          --await-missed             after the phases, wait until every call rang out and report when "missed" reached
                                     the sockets (short ring timeouts: --set callapi:Calls:RingTimeoutSeconds=5)
          --hold-seconds S           keep the sockets open S seconds after measuring RSS (to attach dotnet-gcdump etc.);
                                     the edge's idle CPU is measured over the last --idle-seconds of it (60)
          --token-in header|query    where the sockets carry their access token: an Authorization header, as a native
                                     app can send it, or the URL's access_token, as a browser must (query)
          --json-out FILE            also append the JSON line to FILE
          --label TEXT               a name for this run in the output
        """;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        double? rate = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--notifiers": o.Notifiers = Int(Next()); break;
                case "--callapis": o.CallApis = Int(Next()); break;
                case "--gateways": o.Gateways = Int(Next()); break;
                case "--sockets": o.Sockets = Int(Next()); break;
                case "--residents-per-apartment": o.ResidentsPerApartment = Int(Next()); break;
                case "--client-processes": o.ClientProcesses = Int(Next()); break;
                case "--connect-concurrency": o.ConnectConcurrency = Int(Next()); break;
                case "--warmup-seconds": o.WarmupSeconds = Num(Next()); break;
                case "--warmup-rate": o.WarmupRate = Num(Next()); break;
                case "--rate": rate = Num(Next()); break;
                case "--seconds":
                    var seconds = Num(Next());
                    o.Phases.Add(new Phase($"{rate ?? 200:0.#}/s", rate ?? 200, seconds));
                    break;
                case "--phase":
                    var parts = Next().Split(':');
                    if (parts.Length != 3) throw new ArgumentException("--phase takes NAME:RATE:SECONDS.");
                    o.Phases.Add(new Phase(parts[0], Num(parts[1]), Num(parts[2])));
                    break;
                case "--recovery-threshold-ms": o.RecoveryThresholdMs = Num(Next()); break;
                case "--answer-timeout": o.AnswerTimeoutSeconds = Num(Next()); break;
                case "--hold-seconds": o.HoldSeconds = Num(Next()); break;
                case "--idle-seconds": o.IdleMeasureSeconds = Num(Next()); break;
                case "--settle-seconds": o.SettleSeconds = Num(Next()); break;
                case "--drain-seconds": o.DrainSeconds = Num(Next()); break;
                case "--await-missed": o.AwaitMissed = true; break;
                case "--token-in":
                    o.TokenInHeader = Next() switch
                    {
                        "header" => true,
                        "query" => false,
                        var other => throw new ArgumentException($"--token-in takes header or query, not {other}."),
                    };
                    break;
                case "--environment": o.Environment = Next(); break;
                case "--fast-postgres": o.FastPostgres = true; break;
                case "--json-out": o.JsonOut = Next(); break;
                case "--label": o.Label = Next(); break;
                case "--set":
                    var setting = Next();
                    var colon = setting.IndexOf(':');
                    var eq = setting.IndexOf('=');
                    if (colon < 1 || eq < colon) throw new ArgumentException("--set takes service:Key=Value.");
                    var service = setting[..colon];
                    if (!o.Settings.TryGetValue(service, out var map)) o.Settings[service] = map = [];
                    map[setting[(colon + 1)..eq].Replace(":", "__", StringComparison.Ordinal)] = setting[(eq + 1)..];
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]}.\n\n{Help}");
            }
        }
        if (o.Phases.Count == 0 && rate is { } r) o.Phases.Add(new Phase($"{r:0.#}/s", r, 10));
        if (o.Sockets < o.ResidentsPerApartment) throw new ArgumentException("--sockets must be at least --residents-per-apartment.");
        return o;
    }

    private static int Int(string v) => int.Parse(v, CultureInfo.InvariantCulture);
    private static double Num(string v) => double.Parse(v, CultureInfo.InvariantCulture);
}
