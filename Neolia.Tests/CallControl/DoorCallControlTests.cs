using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.CallApi.CallControl;
using Neolia.CallApi.Calls;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>
/// Door calls driven by CallApi over ARI, against <see cref="FakeAsterisk"/> (a stand-in written from Asterisk's REST API
/// description): what CallApi asks Asterisk to do, what the door hears, what the apps see.
/// </summary>
[Collection(AriStackCollection.Name)]
public sealed class DoorCallControlTests(AriStackFixture stack)
{
    private FakeAsterisk Asterisk => stack.Asterisk;

    [Fact]
    public async Task An_app_only_apartment_rings_for_the_whole_ring_time_then_the_door_hears_480()
    {
        // A one-character apartment number: the dialplan's pattern takes it, and so does CallApi.
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, apartment: "4");
        var (resident, _) = await scenario.AddResidentAsync();
        await using var socket = await scenario.ConnectAsync(resident);

        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await socket.WaitForRingAsync(call.Id.ToString());

        Assert.Single(Asterisk.RequestsTo("POST", $"/ari/channels/{door}/ring"));
        Assert.Empty(Asterisk.Originates(door));
        var missed = await socket.WaitForUpdateAsync(call.Id.ToString(), "missed", TimeSpan.FromSeconds(AriStackFixture.RingTimeoutSeconds + 10));
        var hungUp = Asterisk.AllChannels[door];
        Assert.Equal(AriHangupReasons.NoAnswer, hungUp.HangupReason); // cause 19: chan_pjsip answers 480
        Assert.True(hungUp.HungUpAt >= call.ExpiresAt.AddMilliseconds(-200), $"the door rang until {hungUp.HungUpAt:O}, not until {call.ExpiresAt:O}");

        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Missed);
        Assert.Equal(CallEndReasons.RingTimeout, ended.EndReason);
        Assert.Equal("19", ended.HangupCause);
        Assert.Single(socket.UpdatesFor(call.Id.ToString()));
        Assert.Equal("missed", DoorCallScenario.StatusOf(missed));
    }

    [Fact]
    public async Task A_SIP_phone_that_answers_first_is_bridged_with_the_door_and_published_at_once()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (alice, aliceSip) = await scenario.AddResidentAsync(sip: true);
        var monitor = await scenario.AddMonitorAsync();
        var (_, offlineSip) = await scenario.AddResidentAsync(sip: true, registered: false);
        await using var socket = await scenario.ConnectAsync(alice);

        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 2, what: "both registered endpoints dialled");
        var legs = Asterisk.Originates(door);
        Assert.Equal(new[] { $"PJSIP/{aliceSip}", $"PJSIP/{monitor}" }.Order(), legs.Select(l => l.Query["endpoint"]).Order());
        Assert.DoesNotContain(legs, l => l.Query["endpoint"] == $"PJSIP/{offlineSip}");
        Assert.All(legs, l => Assert.Equal($"\"Door\" <{scenario.Tenant.DoorSipUsername}>", l.Query["callerId"])); // dashes kept
        Assert.All(legs, l => Assert.InRange(int.Parse(l.Query["timeout"]), 1, AriStackFixture.RingTimeoutSeconds));

        // Nothing is stored in Asterisk for its fallback: PostgreSQL keeps that list (SipFallback tests).
        Assert.Empty(Asterisk.GlobalVariables);

        var aliceLeg = legs.Single(l => l.Query["endpoint"] == $"PJSIP/{aliceSip}").Path["/ari/channels/".Length..];
        var monitorLeg = legs.Single(l => l.Query["endpoint"] == $"PJSIP/{monitor}").Path["/ari/channels/".Length..];
        await Asterisk.AnswerLegAsync(aliceLeg);

        var answered = await socket.WaitForUpdateAsync(call.Id.ToString(), "answered");
        Assert.Equal(alice.Id.ToString(), answered.GetProperty("call").GetProperty("answeredBy").GetString());
        Assert.True(Asterisk.Channels.ContainsKey(door), "the door is still connected when the answer is published");
        await Eventually.TrueAsync(() => Asterisk.Bridges.TryGetValue($"neolia-{call.Id:N}", out var m) && m.Contains(door) && m.Contains(aliceLeg), what: "door and phone bridged");
        Assert.Equal("Up", Asterisk.Channels[door].State);
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(monitorLeg), what: "the other leg hung up");
        Assert.Equal(AriHangupReasons.AnsweredElsewhere, Asterisk.AllChannels[monitorLeg].HangupReason);

        await Asterisk.HangUpFromOutsideAsync(door);
        await socket.WaitForUpdateAsync(call.Id.ToString(), "ended");
        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
        Assert.Equal(CallEndReasons.DoorHungUp, ended.EndReason);
        Assert.Equal(alice.Id, ended.AnsweredByUserId);
        Assert.Equal("16", ended.HangupCause);
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(aliceLeg), what: "the phone hung up with the door");
    }

    [Fact]
    public async Task A_visitor_who_hangs_up_while_the_answer_is_being_bridged_ends_the_call_it_has_not_failed()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "77");
        await scenario.AddMonitorAsync();
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled");
        var leg = Asterisk.Originates(door)[0].Path["/ari/channels/".Length..];
        // The bridge is held until the visitor has left: what a door hanging up during the answer looks like to CallApi.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Asterisk.HoldRequest = async r =>
        {
            if (r.Method == "POST" && r.Path == $"/ari/bridges/neolia-{call.Id:N}") { held.TrySetResult(); await release.Task; }
        };
        try
        {
            await Asterisk.AnswerLegAsync(leg);
            await held.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Asterisk.HangUpFromOutsideAsync(door);
        }
        finally
        {
            release.TrySetResult();
            Asterisk.HoldRequest = null;
        }
        var ended = await scenario.CallOfAsync(door, c => c.Status is CallStatuses.Ended or CallStatuses.Failed);
        Assert.Equal(CallStatuses.Ended, ended.Status);
        Assert.Equal(CallEndReasons.DoorHungUp, ended.EndReason);
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(leg), what: "the monitor hung up with the door");
    }

    [Fact]
    public async Task An_app_that_answers_first_gets_the_door_into_its_room_through_LiveKit_SIP()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (alice, _) = await scenario.AddResidentAsync(sip: true);
        var token = await stack.SignInAsync(alice);
        await using var socket = await stack.ConnectAsync(token);

        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the SIP phone dialled");
        var phoneLeg = Asterisk.Originates(door)[0].Path["/ari/channels/".Length..];

        using (var answer = await stack.ActAsync(token, call.Id.ToString(), "answer")) await answer.EnsureSuccessWithBodyAsync();

        await Eventually.TrueAsync(() => Asterisk.SipParticipants.Any(p => p["roomName"]!.GetValue<string>() == call.Room), what: "CreateSIPParticipant");
        var participant = Assert.Single(Asterisk.SipParticipants, p => p["roomName"]!.GetValue<string>() == call.Room);
        Assert.Equal($"door:{call.DeviceId}", participant["participantIdentity"]!.GetValue<string>());
        Assert.Equal(call.Id.ToString("N"), participant["sipCallTo"]!.GetValue<string>());
        Assert.Equal("ST_fake", participant["sipTrunkId"]!.GetValue<string>());
        Assert.NotEmpty(Asterisk.RequestsTo("POST", "/twirp/livekit.SIP/CreateSIPOutboundTrunk"));

        var liveKitLeg = "";
        await Eventually.TrueAsync(() => Asterisk.Bridges.TryGetValue($"neolia-{call.Id:N}", out var m) && m.Count == 2
            && m.Contains(door) && (liveKitLeg = m.Single(c => c != door)) != "", what: "door bridged with LiveKit's leg");
        Assert.Equal("neolia-livekit", Asterisk.Channels[liveKitLeg].Context);
        Assert.Equal("Up", Asterisk.Channels[door].State);
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(phoneLeg), what: "the SIP phone stops ringing");
        Assert.Equal(AriHangupReasons.AnsweredElsewhere, Asterisk.AllChannels[phoneLeg].HangupReason);

        // LiveKit's side leaves (the app hung up): the door is hung up and the call ends.
        await Asterisk.HangUpFromOutsideAsync(liveKitLeg);
        await socket.WaitForUpdateAsync(call.Id.ToString(), "ended");
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), what: "the door hung up");
    }

    [Fact]
    public async Task An_endpoint_that_registers_during_the_ring_is_dialled_then()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (_, sip) = await scenario.AddResidentAsync(sip: true, registered: false);

        var door = await scenario.RingAsync();
        await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.RequestsTo("GET", $"/ari/endpoints/PJSIP/{sip}").Count == 1, what: "the endpoint's state asked");
        Assert.Empty(Asterisk.Originates(door));

        await Asterisk.RegisterAsync(sip!);

        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the endpoint dialled once it registered");
        Assert.Equal($"PJSIP/{sip}", Asterisk.Originates(door)[0].Query["endpoint"]);
        await Asterisk.HangUpFromOutsideAsync(door);
    }

    [Fact]
    public async Task A_visitor_who_hangs_up_while_it_rings_cancels_the_call_and_stops_the_phones()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (alice, _) = await scenario.AddResidentAsync(sip: true);
        await using var socket = await scenario.ConnectAsync(alice);
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the phone dialled");
        var leg = Asterisk.Originates(door)[0].Path["/ari/channels/".Length..];

        await Asterisk.HangUpFromOutsideAsync(door, cause: 16);

        await socket.WaitForUpdateAsync(call.Id.ToString(), "cancelled");
        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(leg), what: "the ringing phone hung up");
        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Cancelled);
        Assert.Equal(CallEndReasons.DoorHungUp, ended.EndReason);
        Assert.Null(ended.AnsweredAt);
        Assert.Equal("16", ended.HangupCause);
    }

    /// <summary>A resident's SIP phone answers a door call; open-door asked while it still rang was refused (409) and sent nothing.</summary>
    private async Task<(DoorCallScenario Scenario, TestResident Alice, string Token, string Door, Call Call)> AnsweredAfterAnEarlyOpenIsRefusedAsync()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (alice, _) = await scenario.AddResidentAsync(sip: true);
        var token = await stack.SignInAsync(alice);
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);

        using (var early = await stack.ActAsync(token, call.Id.ToString(), "open-door"))
            await CallDriver.AssertProblemAsync(early, HttpStatusCode.Conflict);
        Assert.Empty(Asterisk.AllChannels[door].Dtmf);

        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the phone dialled");
        await Asterisk.AnswerLegAsync(Asterisk.Originates(door)[0].Path["/ari/channels/".Length..]);
        await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Answered);
        await Eventually.TrueAsync(() => Asterisk.Bridges.ContainsKey($"neolia-{call.Id:N}"), what: "bridged");
        return (scenario, alice, token, door, call);
    }

    [Fact]
    public async Task Opening_in_an_answered_call_writes_one_opened_in_call_line_with_who_the_call_and_the_result()
    {
        var (_, alice, token, _, call) = await AnsweredAfterAnEarlyOpenIsRefusedAsync(); // the refused one writes no line
        using (var open = await stack.ActAsync(token, call.Id.ToString(), "open-door")) await open.EnsureSuccessWithBodyAsync();

        using var response = await stack.AsResidentAsync(token, HttpMethod.Get, "/api/me/door-events");
        await response.EnsureSuccessWithBodyAsync();
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToList();
        var opened = Assert.Single(items, e => e.GetProperty("kind").GetString() == "opened_in_call");
        Assert.Equal("dtmf_sip", opened.GetProperty("method").GetString());
        Assert.Equal("opened", opened.GetProperty("result").GetString());
        Assert.Equal(alice.Id, opened.GetProperty("userId").GetGuid());
        Assert.Equal(call.Id, opened.GetProperty("callId").GetGuid());
        Assert.Equal(call.ApartmentId, opened.GetProperty("apartmentId").GetGuid());
        Assert.Equal(call.DeviceId, opened.GetProperty("deviceId").GetGuid());
        // The call's own line is there too, and the opening comes after it.
        var callLine = Assert.Single(items, e => e.GetProperty("kind").GetString() == "call" && e.GetProperty("callId").GetGuid() == call.Id);
        Assert.True(opened.GetProperty("occurredAt").GetDateTimeOffset() >= callLine.GetProperty("occurredAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Open_door_sends_the_door_code_as_DTMF_on_the_door_channel_only_while_the_call_is_up()
    {
        var (scenario, _, token, door, call) = await AnsweredAfterAnEarlyOpenIsRefusedAsync();

        using var open = await stack.ActAsync(token, call.Id.ToString(), "open-door");
        await open.EnsureSuccessWithBodyAsync();
        var body = await open.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(DoorOpeningResults.Sent, body.GetProperty("doorCode").GetString());
        Assert.Equal(["#"], Asterisk.AllChannels[door].Dtmf); // the default code: the test door has none of its own
        Assert.Equal(DoorOpeningResults.Sent, (await stack.GetCallAsync(token, call.Id.ToString())).GetProperty("doorCode").GetString());

        await Asterisk.HangUpFromOutsideAsync(door);
        await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
        using var late = await stack.ActAsync(token, call.Id.ToString(), "open-door");
        await CallDriver.AssertProblemAsync(late, HttpStatusCode.Conflict);
        Assert.Single(Asterisk.AllChannels[door].Dtmf);
    }

    [Fact]
    public async Task An_unknown_apartment_gets_404()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var door = await scenario.RingAsync(apartment: "999");

        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), what: "the door refused");
        Assert.Equal(AriHangupReasons.Unallocated, Asterisk.AllChannels[door].HangupReason); // cause 1 → 404
    }

    [Fact]
    public async Task Declined_by_every_resident_gets_486()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (alice, _) = await scenario.AddResidentAsync();
        var token = await stack.SignInAsync(alice);
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);

        using (var decline = await stack.ActAsync(token, call.Id.ToString(), "decline")) await decline.EnsureSuccessWithBodyAsync();

        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), what: "the door hung up");
        Assert.Equal(AriHangupReasons.Busy, Asterisk.AllChannels[door].HangupReason); // cause 17 → 486
        var ended = await scenario.CallOfAsync(door, c => c.Status != CallStatuses.Ringing);
        Assert.Equal(CallStatuses.Declined, ended.Status);
        Assert.Equal(CallEndReasons.AllResidentsDeclined, ended.EndReason);
    }

    [Fact]
    public async Task A_monitor_only_apartment_whose_phone_is_busy_gets_486()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        await scenario.AddMonitorAsync();
        var door = await scenario.RingAsync();
        await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled");

        await Asterisk.HangUpFromOutsideAsync(Asterisk.Originates(door)[0].Path["/ari/channels/".Length..], cause: 17);

        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), what: "the door hung up");
        Assert.Equal(AriHangupReasons.Busy, Asterisk.AllChannels[door].HangupReason);
        Assert.Equal(CallStatuses.Declined, (await scenario.CallOfAsync(door, c => c.Status != CallStatuses.Ringing)).Status);
    }

    [Fact]
    public async Task A_monitor_only_apartment_whose_phone_fails_gets_503()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        await scenario.AddMonitorAsync();
        var door = await scenario.RingAsync();
        await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => Asterisk.Originates(door).Count == 1, what: "the monitor dialled");

        await Asterisk.HangUpFromOutsideAsync(Asterisk.Originates(door)[0].Path["/ari/channels/".Length..], cause: 38);

        await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), what: "the door hung up");
        Assert.Equal(AriHangupReasons.Congestion, Asterisk.AllChannels[door].HangupReason); // cause 34 → 503
        Assert.Equal(CallStatuses.Failed, (await scenario.CallOfAsync(door, c => c.Status != CallStatuses.Ringing)).Status);
    }

    [Fact]
    public async Task An_app_answer_that_LiveKit_SIP_cannot_carry_ends_the_call_with_503_and_records_it_failed()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (alice, _) = await scenario.AddResidentAsync();
        var token = await stack.SignInAsync(alice);
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        Asterisk.LiveKitSipFailure = 503;
        try
        {
            using (var answer = await stack.ActAsync(token, call.Id.ToString(), "answer")) await answer.EnsureSuccessWithBodyAsync();
            await Eventually.TrueAsync(() => !Asterisk.Channels.ContainsKey(door), what: "the door hung up");
        }
        finally
        {
            Asterisk.LiveKitSipFailure = null;
        }
        Assert.Equal(AriHangupReasons.Congestion, Asterisk.AllChannels[door].HangupReason);
        // The resident answered, but the visitor was never heard: the history says failed, and why.
        var failed = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Failed);
        Assert.Equal(CallEndReasons.BridgeFailed, failed.EndReason);
        Assert.NotNull(failed.AnsweredAt);
    }

    [Fact]
    public async Task A_flood_of_doors_ringing_at_once_gets_every_door_rung_and_every_call_recorded()
    {
        // 100 doors at once, 10 buildings of 10 doors' calls each: one resident's phone gets 10 rings at once, not 100
        // (a socket that cannot take a burst past its send queue is dropped, and replayed the newest on reconnect).
        const int buildings = 10, doorsPerBuilding = 10, doors = buildings * doorsPerBuilding;
        var sockets = new List<ResidentSocket>();
        var scenarios = new List<DoorCallScenario>();
        for (var b = 0; b < buildings; b++)
        {
            var building = await DoorCallScenario.CreateAsync(stack, Asterisk);
            var (resident, _) = await building.AddResidentAsync();
            var residentSocket = await building.ConnectAsync(resident);
            await residentSocket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
            scenarios.Add(building);
            sockets.Add(residentSocket);
        }
        var scenario = scenarios[0];

        var started = System.Diagnostics.Stopwatch.StartNew();
        var channels = await Task.WhenAll(Enumerable.Range(0, doors).Select(i => scenarios[i % buildings].RingAsync()));

        // Every door hears it ringing (CallApi answers each StasisStart), none is dropped, refused or handed back.
        await Eventually.TrueAsync(() => channels.All(d => Asterisk.RequestsTo("POST", $"/ari/channels/{d}/ring").Count == 1),
            TimeSpan.FromSeconds(AriStackFixture.RingTimeoutSeconds), "every door rung");
        var rungWithin = started.Elapsed;
        var calls = await Task.WhenAll(channels.Select(d => scenario.CallOfAsync(d)));
        Assert.Equal(doors, calls.Select(c => c.Id).Distinct().Count());
        for (var i = 0; i < doors; i++) await sockets[i % buildings].WaitForRingAsync(calls[i].Id.ToString());
        Assert.All(channels, d => Assert.False(Asterisk.WentToFallback(d), $"door {d} handed to the dialplan's fallback"));
        Assert.All(channels, d => Assert.True(Asterisk.AllChannels[d].HungUpAt is null || Asterisk.AllChannels[d].HangupReason == AriHangupReasons.NoAnswer,
            $"door {d} hung up with {Asterisk.AllChannels[d].HangupReason}"));
        Console.WriteLine($"[figures] ARI flood: {doors} doors rung by CallApi within {rungWithin.TotalMilliseconds:F0} ms");

        // And each rings out on its own timer.
        await Eventually.TrueAsync(() => channels.All(d => Asterisk.AllChannels[d].HangupReason == AriHangupReasons.NoAnswer),
            TimeSpan.FromSeconds(AriStackFixture.RingTimeoutSeconds + 15), "every door rung out");
        foreach (var residentSocket in sockets) await residentSocket.DisposeAsync();
    }

    [Fact]
    public async Task After_an_ARI_disconnect_CallApi_reconnects_and_settles_what_happened_meanwhile()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk);
        var (alice, _) = await scenario.AddResidentAsync(sip: true);
        await using var socket = await scenario.ConnectAsync(alice);
        var gone = await scenario.RingAsync();
        var goneCall = await scenario.CallOfAsync(gone);
        var stays = await scenario.RingAsync();
        var staysCall = await scenario.CallOfAsync(stays);
        await Eventually.TrueAsync(() => Asterisk.Originates(stays).Count == 1, what: "the phone dialled");

        Asterisk.DropEventStream();
        // While CallApi is away, one visitor gives up: nobody hears of it.
        await Asterisk.DestroyAsync(gone, 16, announce: false);
        await Asterisk.Connected.WaitAsync(TimeSpan.FromSeconds(15));

        await socket.WaitForUpdateAsync(goneCall.Id.ToString(), "cancelled");
        // The other call is still CallApi's: its phone answers, and it is bridged.
        await Asterisk.AnswerLegAsync(Asterisk.Originates(stays)[0].Path["/ari/channels/".Length..]);
        await socket.WaitForUpdateAsync(staysCall.Id.ToString(), "answered");
        await Eventually.TrueAsync(() => Asterisk.Bridges.ContainsKey($"neolia-{staysCall.Id:N}"), what: "bridged after the reconnection");
        await Asterisk.HangUpFromOutsideAsync(stays);
    }
}
