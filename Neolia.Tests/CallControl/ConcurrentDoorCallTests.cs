using Neolia.CallApi.CallControl;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>Door calls are handled in parallel: one call's slow step never holds another call up.</summary>
[Collection(AriStackCollection.Name)]
public sealed class ConcurrentDoorCallTests(AriStackFixture stack)
{
    private FakeAsterisk Asterisk => stack.Asterisk;

    [Fact]
    public async Task A_door_call_whose_ARI_request_hangs_does_not_hold_up_the_next_door_call()
    {
        var slow = await DoorCallScenario.CreateAsync(stack, Asterisk, "21");
        var slowMonitor = await slow.AddMonitorAsync();
        var fast = await DoorCallScenario.CreateAsync(stack, Asterisk, "22");
        var fastMonitor = await fast.AddMonitorAsync();
        var (fastResident, _) = await fast.AddResidentAsync();
        await using var fastSocket = await fast.ConnectAsync(fastResident);

        // Asterisk does not answer the first door's "ring" request until the test lets it: that call's next step
        // (dialling its monitor) waits behind it.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Asterisk.HoldRequest = request => IsRingOf(request, slow.Tenant.DoorSipUsername) ? release.Task : Task.CompletedTask;
        try
        {
            var held = await slow.RingAsync();
            await Eventually.TrueAsync(() => Asterisk.RequestsTo("POST", $"/ari/channels/{held}/ring").Count == 1, what: "the first call's ring request");

            var door = await fast.RingAsync();
            var call = await fast.CallOfAsync(door);
            await fastSocket.WaitForRingAsync(call.Id.ToString());
            await Eventually.TrueAsync(() => Asterisk.Originates(door).Any(o => o.Query["endpoint"] == $"PJSIP/{fastMonitor}"), what: "the second call's monitor dialled");
            Assert.Empty(Asterisk.Originates(held)); // the first call is still held at its ring

            release.SetResult();
            await Eventually.TrueAsync(() => Asterisk.Originates(held).Any(o => o.Query["endpoint"] == $"PJSIP/{slowMonitor}"), what: "the first call's monitor dialled once released");
        }
        finally
        {
            release.TrySetResult();
            Asterisk.HoldRequest = null;
        }
    }

    private bool IsRingOf(FakeAsterisk.Request request, string door) =>
        request.Method == "POST" && request.Path.StartsWith("/ari/channels/", StringComparison.Ordinal) && request.Path.EndsWith("/ring", StringComparison.Ordinal)
        && Asterisk.Channels.TryGetValue(request.Path["/ari/channels/".Length..^"/ring".Length], out var channel) && channel.Name.StartsWith($"PJSIP/{door}-", StringComparison.Ordinal);

    [Fact]
    public async Task A_SIP_phone_that_declines_is_not_rung_again_and_declines_for_its_resident()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "23");
        var (alice, aliceSip) = await scenario.AddResidentAsync(sip: true);
        var (bob, _) = await scenario.AddResidentAsync();
        await using var aliceSocket = await scenario.ConnectAsync(alice);
        await using var bobSocket = await scenario.ConnectAsync(bob);

        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "alice's softphone dialled");
        var leg = Asterisk.Originates(door)[0].Path["/ari/channels/".Length..];
        await aliceSocket.WaitForRingAsync(call.Id.ToString());

        // Alice presses decline on her softphone: 486 → cause 17; Asterisk then reports her endpoint online again.
        await Asterisk.HangUpFromOutsideAsync(leg, cause: 17);
        await Asterisk.RegisterAsync(aliceSip!);
        await aliceSocket.WaitForUpdateAsync(call.Id.ToString(), "declined");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a redial would be under way by now
        Assert.Single(Asterisk.Originates(door));
        Assert.Equal(CallStatuses.Ringing, (await scenario.CallOfAsync(door)).Status); // bob can still answer
        Assert.True(Asterisk.Channels.ContainsKey(door), "the door keeps ringing for the others");

        // Bob declines in the app: everyone has declined, the door hears 486.
        using (var decline = await stack.ActAsync(await stack.SignInAsync(bob), call.Id.ToString(), "decline")) await decline.EnsureSuccessWithBodyAsync();
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), what: "the door hung up");
        Assert.Equal(AriHangupReasons.Busy, Asterisk.AllChannels[door].HangupReason);
        Assert.Equal(CallStatuses.Declined, (await scenario.CallOfAsync(door, c => c.Status != CallStatuses.Ringing)).Status);
    }

    [Fact]
    public async Task A_phone_that_registers_during_the_ring_is_rung_once_however_often_Asterisk_reports_it()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "24");
        var (alice, _) = await scenario.AddResidentAsync();
        var monitor = await scenario.AddMonitorAsync(registered: false);
        await using var socket = await scenario.ConnectAsync(alice);

        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await socket.WaitForRingAsync(call.Id.ToString());
        Assert.Empty(Asterisk.Originates(door));

        await Asterisk.RegisterAsync(monitor);
        await Asterisk.RegisterAsync(monitor); // qualify, a second contact, an EndpointStateChange: Asterisk repeats itself
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(Asterisk.Originates(door));
        await Asterisk.HangUpFromOutsideAsync(door);
    }
}

/// <summary>A stack whose CallApi sets up at most two door calls at once.</summary>
public sealed class SheddingAriStackFixture : AriStackFixture
{
    public const int MaxCallsInSetup = 2;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["callapi"] = new Dictionary<string, string?> { ["CallControl__MaxCallsInSetup"] = MaxCallsInSetup.ToString() },
        };
}

/// <summary>A flood is shed at the door with a clear answer instead of queueing for seconds.</summary>
public sealed class DoorCallSheddingTests(SheddingAriStackFixture stack) : IClassFixture<SheddingAriStackFixture>
{
    [Fact]
    public async Task Past_the_setup_limit_a_door_call_goes_straight_to_the_dialplans_fallback()
    {
        var asterisk = stack.Asterisk;
        var scenario = await DoorCallScenario.CreateAsync(stack, asterisk, "31");
        var (alice, _) = await scenario.AddResidentAsync();
        await using var socket = await scenario.ConnectAsync(alice);

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        asterisk.HoldRequest = request => request.Method == "POST" && request.Path.EndsWith("/ring", StringComparison.Ordinal) ? release.Task : Task.CompletedTask;
        try
        {
            List<string> held = [];
            for (var i = 0; i < SheddingAriStackFixture.MaxCallsInSetup; i++) held.Add(await scenario.RingAsync());
            await Eventually.TrueAsync(() => asterisk.RequestsTo("POST", "/ari/channels/").Count(r => r.Path.EndsWith("/ring")) == held.Count, what: "the calls in setup");

            // At its limit the replica claims late (a free replica would have won), then finds no slot within the
            // queue timeout and hands the call back to the dialplan.
            var shed = await scenario.RingAsync();
            var broadcast = asterisk.Broadcasts[shed];
            Assert.Equal("SUCCESS", broadcast.Status);
            Assert.True(broadcast.EndedAt - broadcast.StartedAt >= DoorCallClaims.BusyClaimDelay - TimeSpan.FromMilliseconds(20), "claimed at once though no slot was free");
            await Eventually.TrueAsync(() => asterisk.RequestsTo("POST", $"/ari/channels/{shed}/continue").Count == 1, what: "the shed call handed back to the dialplan");
            Assert.Empty(asterisk.RequestsTo("POST", $"/ari/channels/{shed}/ring"));

            release.SetResult();
            foreach (var door in held) await socket.WaitForRingAsync((await scenario.CallOfAsync(door)).Id.ToString());
            // The limit is on calls being set up, not on calls: with the setups done, the next door call rings.
            var next = await scenario.RingAsync();
            await socket.WaitForRingAsync((await scenario.CallOfAsync(next)).Id.ToString());
        }
        finally
        {
            release.TrySetResult();
            asterisk.HoldRequest = null;
        }
    }
}
