using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.CallApi.Calls;
using Neolia.Contracts;
using Neolia.DevStack;
using Neolia.Tests.Infrastructure;
using Neolia.Tests.Reliability;
using Xunit.Abstractions;

namespace Neolia.Tests.CallControl;

/// <summary>
/// A stack of its own with two CallApi replicas, each its own Stasis application on the stand-in Asterisk, which
/// plays the dialplan's StasisBroadcast() (its tests hang replicas with SIGSTOP and drop Asterisk's event streams).
/// </summary>
public sealed class ReplicaStackFixture : AriStackFixture
{
    public const int Replicas = 2;

    protected override int CallApiReplicas => Replicas;

    /// <summary>DevStack's processes: its tests stop and kill replicas.</summary>
    protected override bool RunsOnAppHost => false;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Asterisk.WaitForApplicationsAsync(Replicas, TimeSpan.FromSeconds(30));
    }

    /// <summary>The Stasis application of a replica: <c>neolia-&lt;host&gt;-&lt;pid&gt;</c> (CallControl:ReplicaId's default).</summary>
    public string ApplicationOf(ServiceProcess replica) => Asterisk.Applications.Single(a => a.EndsWith($"-{replica.ProcessId}", StringComparison.Ordinal));

    public ServiceProcess ReplicaOf(string application) => Processes.CallApis.Single(r => ApplicationOf(r) == application);
}

[CollectionDefinition(Name)]
public sealed class ReplicaStackCollection : ICollectionFixture<ReplicaStackFixture>
{
    public const string Name = "stack with two CallApi replicas";
}

/// <summary>
/// Several CallApi replicas take door calls with no leader: the dialplan offers each call to every replica
/// (StasisBroadcast), the first claim wins. A hung replica never claims, so the other takes every call; with every
/// replica hung nobody claims and the dialplan's fallback rings after the broadcast's 1 s. A decision taken on the
/// replica that does not control the call reaches the one that does.
/// </summary>
[Collection(ReplicaStackCollection.Name)]
public sealed class ReplicaDoorCallTests(ReplicaStackFixture stack, ITestOutputHelper output)
{
    private FakeAsterisk Asterisk => stack.Asterisk;

    [Fact]
    public async Task Two_replicas_share_the_calls_and_no_call_is_handled_twice()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "31");
        var monitor = await scenario.AddMonitorAsync();
        var (resident, _) = await scenario.AddResidentAsync();
        await using var socket = await scenario.ConnectAsync(resident);

        // Visitors one after the other (each call still ringing when the next comes).
        var doors = new List<string>();
        for (var i = 0; i < 12; i++) doors.Add(await scenario.RingAsync());
        var calls = new List<Call>();
        foreach (var door in doors)
        {
            var broadcast = Asterisk.Broadcasts[door];
            Assert.Equal("SUCCESS", broadcast.Status);
            // One claim won; the other replica's, if it came, was refused.
            var claims = Asterisk.Exchanges.Where(e => e.Request.Path == "/ari/events/claim" && e.Request.Query["channelId"] == door).ToList();
            Assert.Single(claims, c => c.Status == 204);
            Assert.All(claims.Where(c => c.Status != 204), c => Assert.Contains(c.Status, new[] { 409, 404 }));
            Assert.Equal(broadcast.Winner, claims.Single(c => c.Status == 204).Request.Query["application"]);
            calls.Add(await scenario.CallOfAsync(door));
        }
        foreach (var call in calls) await socket.WaitForRingAsync(call.Id.ToString());
        await Task.Delay(TimeSpan.FromSeconds(1)); // a second dial or ring would be out by now

        foreach (var (door, call) in doors.Zip(calls))
        {
            var dial = Assert.Single(Asterisk.Originates(door));
            Assert.Equal($"PJSIP/{monitor}", dial.Query["endpoint"]);
            Assert.Equal(Asterisk.Broadcasts[door].Winner, dial.Query["app"]); // dialled by the replica that won, into its application
            Assert.Single(socket.RingsFor(call.Id.ToString()));
            Assert.Single(Asterisk.RequestsTo("POST", $"/ari/channels/{door}/ring"));
        }
        var winners = doors.GroupBy(d => Asterisk.Broadcasts[d].Winner).ToDictionary(g => g.Key!, g => g.Count());
        var refused = Asterisk.Exchanges.Where(e => e.Request.Path == "/ari/events/claim" && doors.Contains(e.Request.Query["channelId"]) && e.Status != 204)
            .GroupBy(e => e.Request.Query["application"]).Select(g => $"{g.Count()} refused to {g.Key}");
        Figures.Print(output, $"12 calls over 2 replicas: {string.Join(", ", winners.Select(w => $"{w.Value} to {w.Key}"))} ({string.Join(", ", refused)}); " +
            $"broadcast → claim in {Median(doors.Select(d => Asterisk.Broadcasts[d]).Select(b => (b.EndedAt - b.StartedAt).TotalMilliseconds)):0} ms (median)");
        Assert.Equal(ReplicaStackFixture.Replicas, winners.Count);

        foreach (var door in doors) await Asterisk.HangUpFromOutsideAsync(door);
        foreach (var door in doors) await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Cancelled);
    }

    [Fact]
    public async Task A_hung_replica_claims_nothing_and_the_other_takes_every_call()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "32");
        await scenario.AddMonitorAsync();
        var hung = stack.Processes.CallApis[0];
        var serving = stack.ApplicationOf(stack.Processes.CallApis[1]);
        var doors = new List<string>();
        ProcessSignals.Stop(hung.ProcessId);
        var stoppedAt = DateTimeOffset.UtcNow;
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var door = await scenario.RingAsync();
                doors.Add(door);
                var broadcast = Asterisk.Broadcasts[door];
                var claims = Asterisk.Exchanges.Where(e => e.Request.Path == "/ari/events/claim" && e.Request.Query["channelId"] == door)
                    .Select(e => $"{e.Request.Query["application"]} {e.Status} at +{(e.Request.At - stoppedAt).TotalMilliseconds:0} ms after the stop");
                Assert.True((broadcast.Status, broadcast.Winner) == ("SUCCESS", serving),
                    $"call {i + 1}: {broadcast.Status}, claimed by {broadcast.Winner} (hung: {stack.ApplicationOf(hung)}); claims: {string.Join("; ", claims)}");
                await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled by the serving replica");
                Assert.Equal(serving, Asterisk.Originates(door)[0].Query["app"]);
            }
            var claimed = doors.Select(d => (Asterisk.Broadcasts[d].EndedAt - Asterisk.Broadcasts[d].StartedAt).TotalMilliseconds).ToList();
            Figures.Print(output, $"one replica hung (SIGSTOP): 6 of 6 calls claimed by the other, broadcast → claim median {Median(claimed):0} ms, max {claimed.Max():0} ms");
            Assert.All(claimed, ms => Assert.True(ms < 500, $"claimed after {ms} ms"));
        }
        finally
        {
            ProcessSignals.Continue(hung.ProcessId);
        }
        foreach (var door in doors) await Asterisk.HangUpFromOutsideAsync(door);
        foreach (var door in doors) await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Cancelled);
        Assert.Single(Asterisk.Originates(doors[0])); // the resumed replica's late claims changed nothing
    }

    [Fact]
    public async Task A_killed_replica_claims_nothing_and_the_others_take_every_call()
    {
        // A third replica of the same stack (not behind the gateway), killed as a crash would.
        var settings = stack.AnotherCallApiSettings();
        await using var doomed = await ServiceProcess.StartAsync("callapi-doomed", "Neolia.CallApi", FreePort.Next(), settings, stack.Stack.LogDirectory);
        await Asterisk.WaitForApplicationsAsync(ReplicaStackFixture.Replicas + 1, TimeSpan.FromSeconds(30));
        var dead = Asterisk.Applications.Single(a => a.EndsWith($"-{doomed.ProcessId}", StringComparison.Ordinal));
        doomed.Kill();
        await doomed.Exited();
        await Eventually.TrueAsync(() => !Asterisk.ReadyApplications.Contains(dead), what: "the killed replica's event stream closed");

        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "37");
        await scenario.AddMonitorAsync();
        var doors = new List<string>();
        for (var i = 0; i < 6; i++) doors.Add(await scenario.RingAsync());
        Assert.All(doors, d => Assert.Equal("SUCCESS", Asterisk.Broadcasts[d].Status));
        Assert.DoesNotContain(dead, doors.Select(d => Asterisk.Broadcasts[d].Winner));
        var claimed = doors.Select(d => (Asterisk.Broadcasts[d].EndedAt - Asterisk.Broadcasts[d].StartedAt).TotalMilliseconds).ToList();
        Figures.Print(output, $"one replica killed (of 3): 6 of 6 calls claimed by the others, broadcast → claim median {Median(claimed):0} ms, max {claimed.Max():0} ms");
        foreach (var door in doors) await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled");
        foreach (var door in doors) await Asterisk.HangUpFromOutsideAsync(door);
    }

    [Fact]
    public async Task With_every_replica_hung_nobody_claims_and_the_dialplan_rings_the_devices_after_the_broadcast_timeout()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "33");
        await scenario.AddMonitorAsync();
        var pids = stack.Processes.CallApis.Select(r => r.ProcessId).ToList();
        string door;
        var clock = Stopwatch.StartNew();
        foreach (var pid in pids) ProcessSignals.Stop(pid);
        try
        {
            door = await scenario.RingAsync();
            clock.Stop();
        }
        finally
        {
            foreach (var pid in pids) ProcessSignals.Continue(pid);
        }
        var broadcast = Asterisk.Broadcasts[door];
        Assert.Equal(("TIMEOUT", (string?)null), (broadcast.Status, broadcast.Winner));
        Assert.True(Asterisk.WentToFallback(door), "the channel went on to the dialplan's fallback");
        var waited = (broadcast.EndedAt - broadcast.StartedAt).TotalMilliseconds;
        Figures.Print(output, $"every replica hung (SIGSTOP): broadcast timed out after {waited:0} ms, the door channel in the dialplan's fallback {clock.ElapsedMilliseconds} ms after it rang");
        Assert.InRange(waited, FakeAsterisk.BroadcastTimeoutMs - 20, FakeAsterisk.BroadcastTimeoutMs + 500);

        // Resumed, the replicas read the old offer: their claims come too late (404) and nothing is set up.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.All(Asterisk.Exchanges.Where(e => e.Request.Path == "/ari/events/claim" && e.Request.Query["channelId"] == door), e => Assert.Equal(404, e.Status));
        Assert.Empty(Asterisk.Originates(door));
        await using (var scope = stack.DataScope(out var db))
            Assert.False(db.Calls.Any(c => c.AsteriskCallId == door));
        await Asterisk.HangUpFromOutsideAsync(door);
    }

    [Fact]
    public async Task An_answer_and_an_opening_on_the_replica_that_does_not_control_the_call_reach_the_door()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "34");
        var (resident, _) = await scenario.AddResidentAsync();
        var token = await stack.SignInAsync(resident);
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        var owner = Asterisk.Broadcasts[door].Winner!;
        var other = stack.Processes.CallApis.Single(r => stack.ApplicationOf(r) != owner);
        using var direct = new HttpClient { BaseAddress = other.Url };
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var clock = Stopwatch.StartNew();
        using (var answer = await direct.PostAsync($"/api/calls/{call.Id}/answer", null)) await answer.EnsureSuccessWithBodyAsync();
        // The owner asks LiveKit for the door's SIP leg, claims it when it arrives and bridges it with the door.
        var bridge = $"neolia-{call.Id:N}";
        await Eventually.TrueAsync(() => Asterisk.Bridges.TryGetValue(bridge, out var members) && members.Contains(door) && members.Count == 2,
            TimeSpan.FromSeconds(10), "the door bridged with LiveKit's leg");
        Figures.Print(output, $"app answer on the replica not controlling the call → door bridged in {clock.ElapsedMilliseconds} ms");
        var liveKitLeg = Asterisk.Bridges[bridge].Single(c => c != door);
        Assert.Equal(owner, Asterisk.Broadcasts[liveKitLeg].Winner);
        Assert.Equal(CallStatuses.Answered, (await scenario.CallOfAsync(door)).Status);

        // The opening, on the same replica: it finds the door in the call's bridge and sends the code itself.
        using (var open = await direct.PostAsync($"/api/calls/{call.Id}/open-door", null))
        {
            await open.EnsureSuccessWithBodyAsync();
            Assert.Equal("dtmf_sent", (await open.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("doorCode").GetString());
        }
        Assert.NotEmpty(Asterisk.Channels[door].Dtmf);

        await Asterisk.HangUpFromOutsideAsync(liveKitLeg);
        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
        Assert.Equal(CallEndReasons.AnswererHungUp, ended.EndReason);
    }

    [Fact]
    public async Task A_decline_on_the_replica_that_does_not_control_the_call_gives_the_door_its_486()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "35");
        var (resident, _) = await scenario.AddResidentAsync();
        var token = await stack.SignInAsync(resident);
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        var other = stack.Processes.CallApis.Single(r => stack.ApplicationOf(r) != Asterisk.Broadcasts[door].Winner);
        using var direct = new HttpClient { BaseAddress = other.Url };
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using (var decline = await direct.PostAsync($"/api/calls/{call.Id}/decline", null)) await decline.EnsureSuccessWithBodyAsync();
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), TimeSpan.FromSeconds(5), "the door hung up by the owner");
        Assert.Equal(Neolia.CallApi.CallControl.AriHangupReasons.Busy, Asterisk.AllChannels[door].HangupReason);
    }

    [Fact]
    public async Task After_Asterisk_restarts_with_no_account_in_memory_every_replica_is_back_within_a_second_and_follows_registrations()
    {
        var before = Asterisk.RequestsTo("GET", "/ari/deviceStates/").Count;
        // Asterisk goes down: the event streams drop and every reconnection is refused for 3 s.
        Asterisk.RefuseEventStream = true;
        Asterisk.NoEndpointInMemory = true;
        Asterisk.DropEventStream();
        Stopwatch clock;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            clock = Stopwatch.StartNew();
            Asterisk.RefuseEventStream = false;
            await Asterisk.WaitForApplicationsAsync(ReplicaStackFixture.Replicas, TimeSpan.FromSeconds(10));
        }
        finally
        {
            Asterisk.RefuseEventStream = false;
            Asterisk.NoEndpointInMemory = false; // the other tests' Asterisk has its accounts in memory
        }
        Figures.Print(output, $"Asterisk back after 3 s down, nothing in memory: both replicas connected and subscribed to the registrations {clock.ElapsedMilliseconds} ms later");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"back after {clock.ElapsedMilliseconds} ms");
        // The 422 was answered by making Asterisk load one account.
        Assert.True(Asterisk.RequestsTo("GET", "/ari/deviceStates/").Count > before, "an account loaded after the 422");

        // A device that registers while the door rings is dialled: its registration reached call control.
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "36");
        var monitor = await scenario.AddMonitorAsync(registered: false);
        var door = await scenario.RingAsync();
        await scenario.CallOfAsync(door);
        await Task.Delay(300);
        Assert.Empty(Asterisk.Originates(door));
        await Asterisk.RegisterAsync(monitor);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, TimeSpan.FromSeconds(5), "the monitor dialled once it registered");
        await Asterisk.HangUpFromOutsideAsync(door);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
