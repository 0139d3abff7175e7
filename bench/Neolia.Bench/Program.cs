using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Neolia.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
// Thousands of receive loops and door calls in flight on 2 cores: do not wait for the pool's slow thread injection.
ThreadPool.SetMinThreads(32, 32);
if (args.Length == 2 && args[0] == "--worker") return await ClientWorkers.RunWorkerAsync(args[1]);
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Help);
    return 0;
}

var options = BenchOptions.Parse(args);
var freq = (double)Stopwatch.Frequency;
var runId = "bench-" + Guid.NewGuid().ToString("N")[..8];
void Say(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

await using var stack = await BenchStack.StartAsync(options);
await stack.Doors.Connected.WaitAsync(TimeSpan.FromSeconds(30));
Say($"Stack: gateway(s) {string.Join(", ", stack.Gateways)}, CallApi {stack.CallApi}; processes {string.Join(", ", stack.Processes.Select(p => $"{p.Name}={p.Pid}").Concat(stack.Infrastructure.Select(p => $"{p.Name}={p.Pid}")))}");

var provisionWatch = Stopwatch.StartNew();
var tenant = await Provisioner.CreateAsync(stack.DatabaseConnectionString, options.Sockets, options.ResidentsPerApartment);
var tenantId = await Provisioner.TenantIdAsync(stack.DatabaseConnectionString, tenant.Slug);
var tokens = Provisioner.MintAccessTokens(stack.JwtSigningKey, tenant.Slug, tenantId, tenant.Residents).ToArray();
Say($"Provisioned tenant {tenant.Slug}: {tenant.Apartments} apartments, {tenant.Residents.Count} residents in {provisionWatch.Elapsed.TotalSeconds:0.0} s");

// Two residents sign in through the gateway as the app does (proves the provisioned accounts are real); their
// sockets use the tokens they got.
using (var gatewayHttp = new HttpClient { BaseAddress = stack.Gateways[0], Timeout = TimeSpan.FromSeconds(30) })
{
    for (var i = 0; i < Math.Min(2, tokens.Length); i++)
    {
        using var login = await gatewayHttp.PostAsJsonAsync("/api/auth/login", new { email = tenant.Residents[i].Email, password = tenant.Password });
        if (!login.IsSuccessStatusCode) throw new InvalidOperationException($"Sign-in of {tenant.Residents[i].Email} failed: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        tokens[i] = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }
}

var edge = stack.EdgeProcesses.ToList();
Dictionary<string, long> Rss() => edge.ToDictionary(p => p.Name, p => ProcessStats.RssBytes(p.Pid));
Dictionary<string, double> Cpu()
{
    var cpu = stack.Processes.ToDictionary(p => p.Name, p => ProcessStats.CpuMs(p.Pid));
    foreach (var (name, pid, withChildren) in stack.Infrastructure) cpu[name] = withChildren ? ProcessStats.TreeCpuMs(pid) : ProcessStats.CpuMs(pid);
    return cpu;
}

var rssBefore = Rss();
var log = new RingLog();
var connectWatch = Stopwatch.StartNew();
SocketFleet? fleet = null;
ClientWorkers? workers = null;
int connected, failed;
if (options.ClientProcesses <= 1)
{
    fleet = new SocketFleet(log);
    await fleet.ConnectAsync(stack.Gateways, tokens, 0, options.ConnectConcurrency, options.TokenInHeader);
    connected = fleet.Connected;
    failed = fleet.Failed;
    foreach (var e in fleet.Errors) Say("connect error: " + e);
}
else
{
    workers = await ClientWorkers.StartAsync(log, stack.Gateways, tokens, options.ClientProcesses, options.ConnectConcurrency, options.TokenInHeader);
    connected = workers.Connected;
    failed = workers.Failed;
}
var connectSeconds = connectWatch.Elapsed.TotalSeconds;
Say($"Connected {connected} socket(s) ({failed} failed) in {connectSeconds:0.0} s; settling {options.SettleSeconds} s");
await Task.Delay(TimeSpan.FromSeconds(options.SettleSeconds));
var rssAfter = Rss();
var rssDelta = rssAfter.Sum(kv => kv.Value - rssBefore[kv.Key]);
var bytesPerSocket = connected == 0 ? 0 : rssDelta / connected;
Say($"Edge RSS {Mb(rssBefore.Values.Sum())} → {Mb(rssAfter.Values.Sum())} MB: {bytesPerSocket / 1024.0:0.0} KB per socket");
// Idle CPU of the edge with every socket open and no call: keep-alive pings, timers, heartbeats. Measured over the
// hold, after the services' own start-up work (tiered JIT) has settled.
var idleCpuPercent = new Dictionary<string, double>();
var rssAfterHold = rssAfter;
if (options.HoldSeconds > 0)
{
    Say($"Holding the sockets for {options.HoldSeconds} s (idle CPU measured over the last {options.IdleMeasureSeconds} s)");
    await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, options.HoldSeconds - options.IdleMeasureSeconds)));
    var idleBefore = Cpu();
    var idleWatch = Stopwatch.StartNew();
    await Task.Delay(TimeSpan.FromSeconds(Math.Min(options.HoldSeconds, options.IdleMeasureSeconds)));
    var idleAfter = Cpu();
    foreach (var (name, ms) in idleAfter) idleCpuPercent[name] = Math.Round((ms - idleBefore[name]) / idleWatch.Elapsed.TotalMilliseconds * 100, 2);
    rssAfterHold = Rss();
    Say($"Edge RSS after holding: {string.Join(", ", rssAfterHold.Select(kv => $"{kv.Key} {Mb(kv.Value)} MB"))}");
    Say($"Idle CPU (% of one core): {string.Join(", ", idleCpuPercent.Select(kv => $"{kv.Key} {kv.Value}"))}");
}

var results = new JsonArray();
var table = new List<string>();
var allDialled = new HashSet<Guid>();
var missedGrace = Neolia.CallApi.Calls.RungOutCalls.RingTimeoutGrace;
var missedTable = new List<string>();
{
    var load = stack.Doors;
    var phases = new List<Phase>();
    if (options.WarmupSeconds > 0) phases.Add(new Phase("warm-up", options.WarmupRate, options.WarmupSeconds, Measured: false));
    phases.AddRange(options.Phases);
    var runs = new List<(Phase Phase, long Start, List<CallRecord> Calls, Dictionary<string, double> CpuBefore, Dictionary<string, double> CpuAfter, string Load)>();
    foreach (var phase in phases)
    {
        var cpuBefore = Cpu();
        Say($"Phase {phase.Name}: {phase.Rate:0.#} door calls/s for {phase.Seconds} s (load average {ProcessStats.LoadAverage()})");
        var (start, calls, done) = load.Run(tenant, runId, phase.Rate, phase.Seconds);
        // Phases follow each other without a pause (the recovery after an overload is measured from its end).
        await Task.Delay(TimeSpan.FromSeconds(phase.Seconds));
        runs.Add((phase, start, calls, cpuBefore, Cpu(), ProcessStats.LoadAverage()));
        _ = done;
    }
    Say($"Waiting up to {options.AnswerTimeoutSeconds} s for the last answers and {options.DrainSeconds} s for the last rings ...");
    await Task.Delay(TimeSpan.FromSeconds(options.AnswerTimeoutSeconds + options.DrainSeconds));
    await AriDoors.ResolveAsync(stack.DatabaseConnectionString, runId, runs.SelectMany(r => r.Calls));
    // Nobody answers the bench's calls: each one rings out and CallApi's call control closes it as missed at its ring
    // timeout (the sweeper's grace is the backstop).
    long MissedDue(CallRecord c) => c.SentAt + (long)((c.RingTimeoutSeconds + missedGrace.TotalSeconds) * freq);
    if (options.AwaitMissed && runs.SelectMany(r => r.Calls).Where(c => c.Dialled).Select(MissedDue).DefaultIfEmpty().Max() is var lastDue and > 0)
    {
        var wait = Percentiles.Ms(Stopwatch.GetTimestamp(), lastDue) + options.DrainSeconds * 1000;
        if (wait > 0)
        {
            Say($"Waiting {wait / 1000:0.0} s for the last calls to ring out (missed) ...");
            await Task.Delay(TimeSpan.FromMilliseconds(wait));
        }
    }
    var collectedAt = Stopwatch.GetTimestamp();
    var missesByCall = new Dictionary<Guid, List<(int Socket, long At)>>();
    foreach (var (socket, callId, at) in log.Misses)
    {
        if (!missesByCall.TryGetValue(callId, out var list)) missesByCall[callId] = list = [];
        list.Add((socket, at));
    }

    var ringsByCall = new Dictionary<Guid, List<(int Socket, long At)>>();
    foreach (var (socket, callId, at) in log.Rings)
    {
        if (!ringsByCall.TryGetValue(callId, out var list)) ringsByCall[callId] = list = [];
        list.Add((socket, at));
    }
    var closed = log.Closes.Select(c => c.Socket).ToHashSet();

    foreach (var (phase, start, calls, cpuBefore, cpuAfter, loadAverage) in runs)
    {
        foreach (var c in calls.Where(c => c.Dialled)) allDialled.Add(c.CallId);
        if (!phase.Measured) continue;
        var setup = new List<double>();
        var ring = new List<double>();
        int ok = 0, refused = 0, timeouts = 0, errors = 0, expected = 0, received = 0, missed = 0, duplicates = 0, over = 0;
        // "Missed" updates: expected for every rung socket once the call's due time (+ the drain) has passed.
        var missedLatency = new List<double>();
        int missedExpected = 0, missedReceived = 0, missedNeverCame = 0, missedPending = 0, missedDuplicates = 0;
        var good = new bool[calls.Count];
        for (var n = 0; n < calls.Count; n++)
        {
            var c = calls[n];
            if (c.Status == -1) { timeouts++; continue; }
            var setupMs = Percentiles.Ms(c.SentAt, c.AnsweredAt);
            setup.Add(setupMs);
            if (setupMs > options.AnswerTimeoutSeconds * 1000) over++;
            if (c.Status == 503) { refused++; continue; } // handed back to the dialplan's fallback (shed)
            if (c.Status is < 200 or >= 300 || !c.Dialled) { errors++; continue; }
            ok++;
            var isGood = setupMs <= options.RecoveryThresholdMs;
            ringsByCall.TryGetValue(c.CallId, out var rings);
            var firstSocket = c.Apartment * options.ResidentsPerApartment;
            for (var s = firstSocket; s < Math.Min(firstSocket + options.ResidentsPerApartment, tokens.Length); s++)
            {
                if (closed.Contains(s) || (fleet is not null && s >= connected + failed)) continue;
                expected++;
                var hits = 0;
                long first = long.MaxValue;
                if (rings is not null)
                {
                    foreach (var (socket, at) in rings)
                    {
                        if (socket != s) continue;
                        hits++;
                        first = Math.Min(first, at);
                    }
                }
                var due = MissedDue(c);
                if (due + (long)(options.DrainSeconds * freq) > collectedAt) missedPending++;
                else
                {
                    missedExpected++;
                    long firstMissed = long.MaxValue;
                    var missedHits = 0;
                    if (missesByCall.TryGetValue(c.CallId, out var misses))
                    {
                        foreach (var (socket, at) in misses)
                        {
                            if (socket != s) continue;
                            missedHits++;
                            firstMissed = Math.Min(firstMissed, at);
                        }
                    }
                    if (missedHits == 0) missedNeverCame++;
                    else
                    {
                        missedReceived++;
                        missedDuplicates += missedHits - 1;
                        missedLatency.Add(Percentiles.Ms(due, firstMissed));
                    }
                }
                if (hits == 0) { missed++; isGood = false; continue; }
                received++;
                if (hits > 1) duplicates += hits - 1;
                var ms = Percentiles.Ms(c.SentAt, first);
                ring.Add(ms);
                if (ms > options.RecoveryThresholdMs) isGood = false;
            }
            good[n] = isGood;
        }
        var sent = calls.Count;
        var achieved = sent > 1 ? (sent - 1) / ((calls[^1].SentAt - calls[0].SentAt) / freq) : sent;
        // Recovery: from the phase's start until the first call after which every call was answered and rung within the threshold.
        double? recoveryMs = null;
        var lastBad = Array.FindLastIndex(good, g => !g);
        if (lastBad < good.Length - 1) recoveryMs = lastBad < 0 ? 0 : Math.Round(Percentiles.Ms(start, calls[lastBad + 1].SentAt), 1);
        var w = Percentiles.Of(setup);
        var r = Percentiles.Of(ring);
        // The offer's round trip: CallBroadcast out → the winning claim in (what a real StasisBroadcast() waits for).
        var claim = Percentiles.Of(calls.Where(c => c.ClaimedAt > 0).Select(c => Percentiles.Ms(c.SentAt, c.ClaimedAt)).ToList());
        var mr = Percentiles.Of(missedLatency);
        if (missedExpected > 0) missedTable.Add($"{phase.Name,-12} {missedExpected,8} {missedReceived,8} {missedNeverCame,6} {missedDuplicates,4} {missedPending,7} | {mr}");
        var cpuPerCall = cpuAfter.ToDictionary(kv => kv.Key, kv => Math.Round((kv.Value - cpuBefore[kv.Key]) / Math.Max(1, sent), 3));
        results.Add(new JsonObject
        {
            ["name"] = phase.Name,
            ["rate"] = phase.Rate,
            ["seconds"] = phase.Seconds,
            ["sent"] = sent,
            ["achievedRate"] = Math.Round(achieved, 1),
            ["door"] = new JsonObject
            {
                ["ok"] = ok, ["refused"] = refused, ["timeouts"] = timeouts, ["errors"] = errors, ["overBudget"] = over,
                ["p50"] = w.P50, ["p95"] = w.P95, ["p99"] = w.P99, ["max"] = w.Max,
            },
            ["ring"] = new JsonObject
            {
                ["expected"] = expected, ["received"] = received, ["missed"] = missed, ["duplicates"] = duplicates,
                ["p50"] = r.P50, ["p95"] = r.P95, ["p99"] = r.P99, ["max"] = r.Max,
            },
            ["missed"] = new JsonObject
            {
                ["graceMs"] = missedGrace.TotalMilliseconds,
                ["expected"] = missedExpected, ["received"] = missedReceived, ["neverCame"] = missedNeverCame,
                ["pending"] = missedPending, ["duplicates"] = missedDuplicates,
                ["p50"] = mr.P50, ["p95"] = mr.P95, ["p99"] = mr.P99, ["max"] = mr.Max,
            },
            ["claim"] = new JsonObject
            {
                ["claimed"] = calls.Count(c => c.ClaimedAt > 0), ["p50"] = claim.P50, ["p95"] = claim.P95, ["p99"] = claim.P99, ["max"] = claim.Max,
            },
            ["recoveryMs"] = recoveryMs,
            ["cpuMsPerCall"] = JsonSerializer.SerializeToNode(cpuPerCall),
            ["loadAverageAfter"] = loadAverage,
        });
        table.Add($"{phase.Name,-12} {phase.Rate,7:0.#} {achieved,8:0.0} {sent,7} {ok,6} {refused,5} {timeouts,5} {errors,5} | {claim.P50,8} {claim.P99,8} | {w} | {r} | {missed,5} {duplicates,4} {(recoveryMs is { } rm ? rm.ToString("0", CultureInfo.InvariantCulture) : "never"),8}");
    }
}

var unmatched = log.Rings.Count(x => !allDialled.Contains(x.CallId));
var report = new JsonObject
{
    ["bench"] = "neolia-ring",
    ["label"] = options.Label,
    ["at"] = DateTimeOffset.UtcNow.ToString("O"),
    ["machine"] = new JsonObject { ["cpus"] = Environment.ProcessorCount, ["loadAverage"] = ProcessStats.LoadAverage() },
    ["stack"] = new JsonObject
    {
        ["callApis"] = options.CallApis, ["notifiers"] = edge.Count(p => p.Name.StartsWith("notifier", StringComparison.Ordinal)),
        ["gateways"] = stack.Gateways.Count, ["environment"] = options.Environment,
        ["claimsByApplication"] = JsonSerializer.SerializeToNode(stack.Doors.ClaimsByApplication),
    },
    ["sockets"] = new JsonObject
    {
        ["requested"] = options.Sockets, ["connected"] = connected, ["failed"] = failed, ["closedDuringRun"] = log.Closes.Count,
        ["connectSeconds"] = Math.Round(connectSeconds, 1), ["residentsPerApartment"] = options.ResidentsPerApartment,
        ["tokenIn"] = options.TokenInHeader ? "header" : "query",
        ["rssBefore"] = JsonSerializer.SerializeToNode(rssBefore), ["rssAfter"] = JsonSerializer.SerializeToNode(rssAfter),
        ["bytesPerSocket"] = bytesPerSocket,
        ["rssAfterHold"] = JsonSerializer.SerializeToNode(rssAfterHold),
        ["idleCpuPercent"] = JsonSerializer.SerializeToNode(idleCpuPercent),
    },
    ["phases"] = results,
    ["unmatchedRings"] = unmatched,
};

Console.WriteLine();
Console.WriteLine($"Neolia ring benchmark {options.Label} — {Environment.ProcessorCount} CPUs, load {ProcessStats.LoadAverage()}, {options.CallApis} CallApi(s), {stack.Gateways.Count} gateway(s), {report["stack"]!["notifiers"]} Notifier(s)");
Console.WriteLine($"claims (CallBroadcast → winning claim, every phase): {string.Join(", ", stack.Doors.ClaimsByApplication.Select(kv => $"{kv.Key} {kv.Value}"))}");
Console.WriteLine($"sockets: {connected} connected, {failed} failed, {log.Closes.Count} closed during the run; connect {connectSeconds:0.0} s");
Console.WriteLine($"edge RSS: {string.Join(", ", rssBefore.Select(kv => $"{kv.Key} {Mb(kv.Value)}→{Mb(rssAfter[kv.Key])} MB"))}; {bytesPerSocket / 1024.0:0.0} KB per socket (gateway + Notifier)");
if (idleCpuPercent.Count > 0) Console.WriteLine($"idle CPU, % of one core over {options.IdleMeasureSeconds} s: {string.Join(", ", idleCpuPercent.Select(kv => $"{kv.Key} {kv.Value}"))}");
Console.WriteLine();
Console.WriteLine($"{"phase",-12} {"rate",7} {"achieved",8} {"sent",7} {"ok",6} {"refus",5} {"tmout",5} {"err",5} | {"claim p50",8} {"p99",8} | {"door ms p50",8} {"p95",8} {"p99",8} {"max",9} | {"ring ms p50",8} {"p95",8} {"p99",8} {"max",9} | {"miss",5} {"dup",4} {"recov ms",8}");
foreach (var line in table) Console.WriteLine(line);
Console.WriteLine($"rings not matching a door call CallApi took: {unmatched}");
if (missedTable.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine($"missed: call_updated \"missed\" on each rung socket, ms after the StasisStart + ring timeout + {missedGrace.TotalSeconds:0} s sweeper grace");
    Console.WriteLine($"{"phase",-12} {"expected",8} {"received",8} {"never",6} {"dup",4} {"pending",7} | {"missed ms p50",8} {"p95",8} {"p99",8} {"max",9}");
    foreach (var line in missedTable) Console.WriteLine(line);
}
Console.WriteLine();
var json = report.ToJsonString();
Console.WriteLine(json);
if (options.JsonOut is { } jsonOut) await File.AppendAllTextAsync(jsonOut, json + Environment.NewLine);

if (fleet is not null) await fleet.DisposeAsync();
if (workers is not null) await workers.DisposeAsync();
return 0;

static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);
