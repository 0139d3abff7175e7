using System.Diagnostics;
using Neolia.CallApi.Calls;
using Neolia.Contracts;
using Neolia.DevStack;
using Neolia.Tests.Infrastructure;
using Neolia.Tests.Reliability;
using Npgsql;
using Xunit.Abstractions;

namespace Neolia.Tests.CallControl;

/// <summary>
/// A replica killed while it controls a call: another one takes the call over once the dead one's control lease runs
/// out (CallControl:ControlLeaseTimeout, 1.5 s). Ringing, the door keeps ringing, the phones are rung again from the
/// new owner and a later answer in the app still connects; connected, the bridge stays and the call ends cleanly
/// when the visitor hangs up.
/// </summary>
[Collection(ReplicaStackCollection.Name)]
public sealed class CallTakeoverTests(ReplicaStackFixture stack, ITestOutputHelper output)
{
    private FakeAsterisk Asterisk => stack.Asterisk;

    [Fact]
    public async Task A_replica_killed_mid_ring_has_its_call_taken_over_the_door_keeps_ringing_and_an_app_answer_connects()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "41");
        var monitor = await scenario.AddMonitorAsync();
        var (resident, _) = await scenario.AddResidentAsync();
        var token = await stack.SignInAsync(resident);
        await using var doomed = await StartDoomedAsync();
        var dead = ApplicationOf(doomed);

        var door = await RingOnAsync(scenario, dead);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled by the doomed replica");
        var firstLeg = Asterisk.Originates(door)[0];
        Assert.Equal(dead, firstLeg.Query["app"]);
        var call = await scenario.CallOfAsync(door);
        Assert.Equal(dead, await OwnerAsync(call.Id)); // recorded before the phones are dialled

        var clock = Stopwatch.StartNew();
        doomed.Kill();
        await doomed.Exited();
        // Another replica rings the monitor again, from its own application, while the door keeps ringing.
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 2, TimeSpan.FromSeconds(15), "the monitor rung again by the replica that took the call");
        Figures.Print(output, $"replica killed mid-ring: the call taken over and its phone rung again {clock.ElapsedMilliseconds} ms after the kill (lease 1.5 s)");
        var taker = Asterisk.Originates(door)[1].Query["app"];
        Assert.NotEqual(dead, taker);
        Assert.Contains(taker, Asterisk.ReadyApplications);
        Assert.True(Asterisk.Channels.ContainsKey(door), "the door still rings");
        Assert.Null(Asterisk.AllChannels[door].HangupReason);
        Assert.Equal(CallStatuses.Ringing, (await scenario.CallOfAsync(door)).Status);
        Assert.Equal(taker, await OwnerAsync(call.Id));

        // The resident answers in the app (through the gateway, on any replica): the new owner bridges the door.
        using (var answer = await stack.ActAsync(token, call.Id.ToString(), "answer")) await answer.EnsureSuccessWithBodyAsync();
        var bridge = $"neolia-{call.Id:N}";
        await Eventually.TrueAsync(() => Asterisk.Bridges.TryGetValue(bridge, out var members) && members.Contains(door) && members.Count == 2,
            TimeSpan.FromSeconds(10), "the door bridged with LiveKit's leg by the new owner");
        var liveKitLeg = Asterisk.Bridges[bridge].Single(c => c != door);
        Assert.Equal(taker, Asterisk.Broadcasts[liveKitLeg].Winner);
        await Asterisk.HangUpFromOutsideAsync(liveKitLeg);
        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
        Assert.Equal(CallEndReasons.AnswererHungUp, ended.EndReason);
        Assert.Equal(resident.Id, ended.AnsweredByUserId);
        Assert.False(Asterisk.Channels.ContainsKey(monitor), "no leg of the call is left ringing");
    }

    [Fact]
    public async Task A_replica_killed_mid_talk_leaves_the_bridge_up_and_the_call_ends_cleanly_when_the_visitor_hangs_up()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "42");
        await scenario.AddMonitorAsync();
        await using var doomed = await StartDoomedAsync();
        var dead = ApplicationOf(doomed);

        var door = await RingOnAsync(scenario, dead);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled");
        var leg = Asterisk.Channels.Values.Single(c => c.Id.StartsWith($"{door}-leg-", StringComparison.Ordinal)).Id;
        await Asterisk.AnswerLegAsync(leg);
        var call = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Answered);
        var bridge = $"neolia-{call.Id:N}";
        await Eventually.TrueAsync(() => Asterisk.Bridges.TryGetValue(bridge, out var members) && members.Count == 2, what: "the door bridged with the monitor");

        doomed.Kill();
        await doomed.Exited();
        await Eventually.TrueAsync(async () => await OwnerAsync(call.Id) != dead, TimeSpan.FromSeconds(15), "the call taken over");
        // Taken over connected: nothing rung again, the conversation goes on.
        Assert.Single(Asterisk.Originates(door));
        Assert.True(Asterisk.Channels.ContainsKey(leg) && Asterisk.Bridges[bridge].Contains(door), "the bridge stays up");

        await Asterisk.HangUpFromOutsideAsync(door);
        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
        Assert.Equal(CallEndReasons.DoorHungUp, ended.EndReason);
        Assert.NotNull(ended.AnsweredSeconds);
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(leg), what: "the monitor hung up by the new owner");
    }

    [Fact]
    public async Task A_replica_hung_mid_ring_loses_its_call_and_when_it_resumes_it_leaves_the_call_to_the_new_owner()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "43");
        await scenario.AddMonitorAsync();
        await using var doomed = await StartDoomedAsync();
        var hung = ApplicationOf(doomed);

        var door = await RingOnAsync(scenario, hung);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled by the replica about to hang");
        var call = await scenario.CallOfAsync(door);
        ProcessSignals.Stop(doomed.ProcessId);
        try
        {
            await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 2, TimeSpan.FromSeconds(15), "the monitor rung again by the replica that took the call");
        }
        finally
        {
            ProcessSignals.Continue(doomed.ProcessId);
        }
        var taker = Asterisk.Originates(door)[1].Query["app"];
        Assert.NotEqual(hung, taker);

        // Resumed, the old owner reads what queued up for the call (the hung-up leg, the registrations) and acts on none of it.
        await Eventually.TrueAsync(() => doomed.Tail().Contains($"Call {call.Id} was taken over by {taker}"),
            TimeSpan.FromSeconds(15), "the resumed replica forgetting the call");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(2, Asterisk.Originates(door).Count);
        Assert.True(Asterisk.Channels.ContainsKey(door), "the door still rings");
        Assert.Equal(CallStatuses.Ringing, (await scenario.CallOfAsync(door)).Status);

        await Asterisk.HangUpFromOutsideAsync(door);
        Assert.Equal(CallEndReasons.DoorHungUp, (await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Cancelled)).EndReason);
        doomed.Kill();
        await doomed.Exited();
    }

    /// <summary>A third replica of the same stack (not behind the gateway), to be killed as a crash would.</summary>
    private async Task<ServiceProcess> StartDoomedAsync()
    {
        var doomed = await ServiceProcess.StartAsync("callapi-doomed", "Neolia.CallApi", FreePort.Next(), stack.AnotherCallApiSettings(), stack.Stack.LogDirectory);
        await Asterisk.WaitForApplicationsAsync(ReplicaStackFixture.Replicas + 1, TimeSpan.FromSeconds(30));
        return doomed;
    }

    private string ApplicationOf(ServiceProcess process) => Asterisk.Applications.Single(a => a.EndsWith($"-{process.ProcessId}", StringComparison.Ordinal));

    /// <summary>Rings so that <paramref name="application"/> claims the call: the broadcast is offered to it alone.</summary>
    private async Task<string> RingOnAsync(DoorCallScenario scenario, string application)
    {
        var door = await scenario.RingOnlyAsync(application);
        Assert.Equal(("SUCCESS", application), (Asterisk.Broadcasts[door].Status, Asterisk.Broadcasts[door].Winner));
        return door;
    }

    private async Task<string?> OwnerAsync(Guid callId)
    {
        await using var db = new NpgsqlConnection(stack.Stack.DatabaseConnectionString);
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "Application" FROM "DoorCallOwners" WHERE "CallId" = @id""", db);
        command.Parameters.AddWithValue("id", callId);
        return await command.ExecuteScalarAsync() as string;
    }
}
