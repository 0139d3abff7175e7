using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.CallApi.CallControl;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Devices;
using Neolia.Tests.CallControl;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Calls;

/// <summary>
/// Answer, decline, open the door, hang up: the status machine through its real clients (the app, Asterisk over ARI —
/// the door, the apartment's SIP phones — and LiveKit's webhooks).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class CallLifecycleTests(StackFixture stack)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Answer_returns_a_LiveKit_token_for_the_room_and_every_other_socket_stops_ringing()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var answerer = await stack.Data.AddResidentAsync(tenant, "1");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "1");
        var answererToken = await stack.SignInAsync(answerer);
        await using var answererTablet = await stack.ConnectAsync(answererToken);
        await using var flatmatePhone = await stack.ConnectAsync(await stack.SignInAsync(flatmate));
        var call = await stack.RingCallAsync(tenant, "1");
        await flatmatePhone.WaitForRingAsync(call.Id);
        await answererTablet.WaitForRingAsync(call.Id);

        using var response = await stack.ActAsync(answererToken, call.Id, "answer");

        await response.EnsureSuccessWithBodyAsync();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(call.Room, answer.GetProperty("room").GetString());
        Assert.StartsWith("ws://", answer.GetProperty("livekitUrl").GetString());
        var claims = await LiveKitTokenAssert.ValidAsync(answer.GetProperty("token").GetString()!, stack.Secrets.LiveKitApiKey, stack.Secrets.LiveKitApiSecret);
        Assert.Equal($"user:{answerer.Id}", claims.GetProperty("sub").GetString());
        Assert.Equal(call.Room, claims.GetProperty("video").GetProperty("room").GetString());
        Assert.True(claims.GetProperty("video").GetProperty("roomJoin").GetBoolean());

        foreach (var socket in new[] { flatmatePhone, answererTablet })
        {
            var update = (await socket.WaitForUpdateAsync(call.Id, "answered")).GetProperty("call");
            Assert.Equal(answerer.Id.ToString(), update.GetProperty("answeredBy").GetString());
        }
        var stored = await stack.GetCallAsync(answererToken, call.Id);
        Assert.Equal("answered", stored.GetProperty("status").GetString());
        Assert.Equal(answerer.Id.ToString(), stored.GetProperty("answeredBy").GetString());

        // It no longer rings for anyone who connects now.
        await using var late = await stack.ConnectAsync(await stack.SignInAsync(flatmate));
        await late.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
        await Task.Delay(Quiet);
        Assert.Empty(late.RingsFor(call.Id));
    }

    [Fact]
    public async Task Of_concurrent_answers_exactly_one_wins_and_the_others_get_409()
    {
        const int residents = 6;
        var tenant = await stack.Data.CreateTenantAsync("2");
        var tokens = new List<(TestResident Resident, string Token)>();
        for (var i = 0; i < residents; i++)
        {
            var resident = await stack.Data.AddResidentAsync(tenant, "2");
            tokens.Add((resident, await stack.SignInAsync(resident)));
        }
        await using var watcher = await stack.ConnectAsync(tokens[0].Token);
        var call = await stack.RingCallAsync(tenant, "2");

        var responses = await Task.WhenAll(tokens.Select(t => stack.ActAsync(t.Token, call.Id, "answer")));

        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await CallDriver.AssertProblemAsync(loser, HttpStatusCode.Conflict);
            // One "status" in a problem: the HTTP status; the call's own status has a name of its own.
            var body = await loser.Content.ReadAsStringAsync();
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(body, "\"status\""));
            Assert.Equal("answered", JsonDocument.Parse(body).RootElement.GetProperty("callStatus").GetString());
        }
        var winner = tokens[Array.IndexOf(responses, winners[0])].Resident;
        var update = await watcher.WaitForUpdateAsync(call.Id, "answered");
        Assert.Equal(winner.Id.ToString(), update.GetProperty("call").GetProperty("answeredBy").GetString());
        await Task.Delay(Quiet);
        Assert.Single(watcher.UpdatesFor(call.Id));
        foreach (var r in responses) r.Dispose();
    }

    [Fact]
    public async Task A_decline_stops_the_ringing_for_that_resident_only_and_the_call_is_declined_when_everyone_has()
    {
        var tenant = await stack.Data.CreateTenantAsync("3");
        var first = await stack.Data.AddResidentAsync(tenant, "3");
        var second = await stack.Data.AddResidentAsync(tenant, "3");
        var firstToken = await stack.SignInAsync(first);
        var secondToken = await stack.SignInAsync(second);
        await using var firstSocket = await stack.ConnectAsync(firstToken);
        await using var secondSocket = await stack.ConnectAsync(secondToken);
        var call = await stack.RingCallAsync(tenant, "3");
        await secondSocket.WaitForRingAsync(call.Id);

        using (var declined = await stack.ActAsync(firstToken, call.Id, "decline"))
        {
            await declined.EnsureSuccessWithBodyAsync();
            Assert.Equal("ringing", (await declined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }
        await firstSocket.WaitForUpdateAsync(call.Id, "declined");
        await Task.Delay(Quiet);
        Assert.Empty(secondSocket.UpdatesFor(call.Id));
        Assert.True(stack.DoorIsUp(call.DoorChannel), "the door still rings for the other resident");
        Assert.Equal("ringing", await stack.StatusOfAsync(secondToken, call.Id));
        Assert.True((await stack.GetCallAsync(firstToken, call.Id)).GetProperty("declinedByMe").GetBoolean());

        // The decliner's devices that connect now do not ring; the other resident's still do.
        await using var firstLate = await stack.ConnectAsync(firstToken);
        await using var secondLate = await stack.ConnectAsync(secondToken);
        await secondLate.WaitForRingAsync(call.Id);
        Assert.Empty(firstLate.RingsFor(call.Id));

        // Declining twice changes nothing.
        using (var again = await stack.ActAsync(firstToken, call.Id, "decline")) await again.EnsureSuccessWithBodyAsync();
        Assert.Equal("ringing", await stack.StatusOfAsync(secondToken, call.Id));

        using (var last = await stack.ActAsync(secondToken, call.Id, "decline"))
        {
            await last.EnsureSuccessWithBodyAsync();
            Assert.Equal("declined", (await last.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }
        await secondSocket.WaitForUpdateAsync(call.Id, "declined");
        var stored = await stack.GetCallAsync(firstToken, call.Id);
        Assert.Equal("declined", stored.GetProperty("status").GetString());
        Assert.Equal("all_residents_declined", stored.GetProperty("endReason").GetString());
        Assert.Equal(AriHangupReasons.Busy, await stack.DoorHungUpAsync(call.DoorChannel)); // cause 17: the door hears 486

        using var tooLate = await stack.ActAsync(firstToken, call.Id, "answer");
        await CallDriver.AssertProblemAsync(tooLate, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Only_the_answerer_opens_the_door_and_only_during_the_answered_call()
    {
        var tenant = await stack.Data.CreateTenantAsync("4");
        var answerer = await stack.Data.AddResidentAsync(tenant, "4");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "4");
        var answererToken = await stack.SignInAsync(answerer);
        var flatmateToken = await stack.SignInAsync(flatmate);
        var call = await stack.RingCallAsync(tenant, "4");

        using (var whileRinging = await stack.ActAsync(answererToken, call.Id, "open-door"))
        {
            await CallDriver.AssertProblemAsync(whileRinging, HttpStatusCode.Conflict);
        }
        using (var answered = await stack.ActAsync(answererToken, call.Id, "answer")) await answered.EnsureSuccessWithBodyAsync();
        // The door joins the call once LiveKit SIP's leg is bridged with it: only then can its code be sent.
        await Eventually.TrueAsync(() => stack.Asterisk.Bridges.ContainsKey($"neolia-{Guid.Parse(call.Id):N}"), what: "the door bridged into the room");
        using (var byFlatmate = await stack.ActAsync(flatmateToken, call.Id, "open-door"))
        {
            await CallDriver.AssertProblemAsync(byFlatmate, HttpStatusCode.Conflict);
        }
        using (var opened = await stack.ActAsync(answererToken, call.Id, "open-door"))
        {
            await opened.EnsureSuccessWithBodyAsync();
            Assert.True((await opened.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("openedAt", out _));
        }
        Assert.NotEqual(JsonValueKind.Null, (await stack.GetCallAsync(flatmateToken, call.Id)).GetProperty("doorOpenedAt").ValueKind);

        await stack.VisitorHangsUpAsync(call);
        await stack.CallOfAsync(call.DoorChannel, c => c.Status == "ended");
        using var afterEnd = await stack.ActAsync(answererToken, call.Id, "open-door");
        await CallDriver.AssertProblemAsync(afterEnd, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_visitor_hanging_up_first_cancels_the_call_on_every_socket()
    {
        var tenant = await stack.Data.CreateTenantAsync("5");
        var resident = await stack.Data.AddResidentAsync(tenant, "5");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "5");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        await using var flatmateSocket = await stack.ConnectAsync(await stack.SignInAsync(flatmate));
        var call = await stack.RingCallAsync(tenant, "5");
        await socket.WaitForRingAsync(call.Id);
        await flatmateSocket.WaitForRingAsync(call.Id);

        await stack.VisitorHangsUpAsync(call, cause: 16);

        await socket.WaitForUpdateAsync(call.Id, "cancelled");
        await flatmateSocket.WaitForUpdateAsync(call.Id, "cancelled");
        var stored = await stack.GetCallAsync(token, call.Id);
        Assert.Equal("cancelled", stored.GetProperty("status").GetString());
        Assert.Equal("16", stored.GetProperty("hangupCause").GetString());
        Assert.Equal(CallEndReasons.DoorHungUp, stored.GetProperty("endReason").GetString());
        Assert.NotEqual(JsonValueKind.Null, stored.GetProperty("endedAt").ValueKind);
        // The door was already gone: CallApi hung nothing up.
        Assert.Empty(stack.Asterisk.RequestsTo("DELETE", $"/ari/channels/{call.DoorChannel}"));
    }

    /// <summary>
    /// An apartment with only an indoor monitor (nobody in the app): the monitor's SIP answer decides, and the door
    /// hears it. Busy (486, cause 17) or rejected (cause 21) → declined, 486 to the door; a failure (cause 38, 34, or 20
    /// "subscriber absent", Asterisk's CHANUNAVAIL) → failed, 503 to the door.
    /// </summary>
    [Theory]
    [InlineData(17, "declined", AriHangupReasons.Busy)]
    [InlineData(21, "declined", AriHangupReasons.Busy)]
    [InlineData(34, "failed", AriHangupReasons.Congestion)]
    [InlineData(38, "failed", AriHangupReasons.Congestion)]
    [InlineData(20, "failed", AriHangupReasons.Congestion)]
    public async Task A_ringing_call_whose_only_phone_hangs_up_ends_as_its_cause_says_and_the_door_hears_it(int cause, string expected, string doorReason)
    {
        var tenant = await stack.Data.CreateTenantAsync("6");
        var monitor = $"{tenant.Slug}-monitor";
        await using (var scope = stack.DataScope(out var db))
        {
            db.Devices.Add(new Device { TenantId = tenant.Id, SiteId = tenant.SiteId, ApartmentId = tenant.Apartments["6"], Kind = DeviceKind.IndoorMonitor, Name = "Monitor", SipUsername = monitor });
            await db.SaveChangesAsync();
        }
        await stack.Asterisk.RegisterAsync(monitor, announce: false);
        var call = await stack.RingCallAsync(tenant, "6");
        var leg = Assert.Single(await stack.SipLegsAsync(call));
        Assert.Equal("ringing", (await stack.CallOfAsync(call.DoorChannel)).Status);

        await stack.Asterisk.HangUpFromOutsideAsync(leg, cause);

        Assert.Equal(doorReason, await stack.DoorHungUpAsync(call.DoorChannel));
        var ended = await stack.CallOfAsync(call.DoorChannel, c => c.Status != "ringing");
        Assert.Equal(expected, ended.Status);
        Assert.Equal(cause == 21 ? "17" : cause is 17 ? "17" : "34", ended.HangupCause);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(19)]
    public async Task A_phone_that_stops_ringing_by_itself_leaves_the_call_ringing_until_it_is_answered(int cause)
    {
        var tenant = await stack.Data.CreateTenantAsync("6");
        var monitor = $"{tenant.Slug}-monitor";
        await using (var scope = stack.DataScope(out var db))
        {
            db.Devices.Add(new Device { TenantId = tenant.Id, SiteId = tenant.SiteId, ApartmentId = tenant.Apartments["6"], Kind = DeviceKind.IndoorMonitor, Name = "Monitor", SipUsername = monitor });
            await db.SaveChangesAsync();
        }
        await stack.Asterisk.RegisterAsync(monitor, announce: false);
        var call = await stack.RingCallAsync(tenant, "6");
        var leg = Assert.Single(await stack.SipLegsAsync(call));

        // Normal clearing or no answer from the phone's side: the door keeps ringing (the ring timeout still decides).
        await stack.Asterisk.HangUpFromOutsideAsync(leg, cause);

        await Task.Delay(Quiet);
        Assert.True(stack.DoorIsUp(call.DoorChannel), "the door was hung up");
        Assert.Equal("ringing", (await stack.CallOfAsync(call.DoorChannel)).Status);
        await stack.VisitorHangsUpAsync(call);
        await stack.CallOfAsync(call.DoorChannel, c => c.Status == "cancelled");
    }

    [Fact]
    public async Task A_SIP_phone_that_answers_answers_the_call_its_end_ends_it_and_a_repeated_hangup_changes_nothing()
    {
        var tenant = await stack.Data.CreateTenantAsync("7");
        var sip = $"{tenant.Slug}-app";
        var resident = await stack.Data.AddResidentAsync(tenant, "7", sipUsername: sip);
        var token = await stack.SignInAsync(resident);
        await stack.Asterisk.RegisterAsync(sip, announce: false);
        await using var socket = await stack.ConnectAsync(token);
        var call = await stack.RingCallAsync(tenant, "7");
        var leg = Assert.Single(await stack.SipLegsAsync(call));

        await stack.AnswerOnSipAsync(leg);

        var answered = await socket.WaitForUpdateAsync(call.Id, "answered");
        Assert.Equal(resident.Id.ToString(), answered.GetProperty("call").GetProperty("answeredBy").GetString());
        await stack.VisitorHangsUpAsync(call);
        await socket.WaitForUpdateAsync(call.Id, "ended");
        await Eventually.TrueAsync(() => !stack.Asterisk.Channels.ContainsKey(leg), what: "the phone hung up with the door");
        // Asterisk reports the door's end once more: nothing changes, nobody is told twice.
        await stack.Asterisk.RepeatChannelDestroyedAsync(call.DoorChannel, cause: 19);

        await Task.Delay(Quiet);
        Assert.Single(socket.UpdatesFor(call.Id), m => m.GetProperty("call").GetProperty("status").GetString() == "ended");
        var stored = await stack.GetCallAsync(token, call.Id);
        Assert.Equal("ended", stored.GetProperty("status").GetString());
        Assert.Equal(resident.Id.ToString(), stored.GetProperty("answeredBy").GetString());
        Assert.Equal("16", stored.GetProperty("hangupCause").GetString());
        Assert.NotEqual(JsonValueKind.Null, stored.GetProperty("answeredAt").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, stored.GetProperty("endedAt").ValueKind);
    }

    [Fact]
    public async Task The_door_hanging_up_after_an_answer_in_the_app_ends_the_call()
    {
        var tenant = await stack.Data.CreateTenantAsync("8");
        var resident = await stack.Data.AddResidentAsync(tenant, "8");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        var call = await stack.RingCallAsync(tenant, "8");
        using (var answered = await stack.ActAsync(token, call.Id, "answer")) await answered.EnsureSuccessWithBodyAsync();
        // The app answered through LiveKit: LiveKit SIP's leg is bridged with the door.
        var liveKitLeg = "";
        await Eventually.TrueAsync(() => stack.Asterisk.Bridges.TryGetValue($"neolia-{call.Id.Replace("-", "")}", out var m) && m.Count == 2
            && (liveKitLeg = m.Single(c => c != call.DoorChannel)) != "", what: "the door bridged into the call's room");

        await stack.VisitorHangsUpAsync(call);

        await socket.WaitForUpdateAsync(call.Id, "ended");
        var stored = await stack.GetCallAsync(token, call.Id);
        Assert.Equal("ended", stored.GetProperty("status").GetString());
        Assert.Equal(resident.Id.ToString(), stored.GetProperty("answeredBy").GetString());
        await Eventually.TrueAsync(() => !stack.Asterisk.Channels.ContainsKey(liveKitLeg), what: "LiveKit's leg hung up with the door");
    }

    [Fact]
    public async Task Late_or_repeated_events_never_reopen_a_finished_call()
    {
        var tenant = await stack.Data.CreateTenantAsync("10");
        var resident = await stack.Data.AddResidentAsync(tenant, "10");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        var call = await stack.RingCallAsync(tenant, "10");
        await stack.VisitorHangsUpAsync(call);
        await socket.WaitForUpdateAsync(call.Id, "cancelled");

        using (var lateAnswer = await stack.ActAsync(token, call.Id, "answer")) await CallDriver.AssertProblemAsync(lateAnswer, HttpStatusCode.Conflict);
        using (var lateDecline = await stack.ActAsync(token, call.Id, "decline")) await CallDriver.AssertProblemAsync(lateDecline, HttpStatusCode.Conflict);
        await stack.Asterisk.RepeatChannelDestroyedAsync(call.DoorChannel);
        using (var lateJoin = await stack.LiveKitWebhookAsync("participant_joined", call.Room, $"user:{resident.Id}")) await lateJoin.EnsureSuccessWithBodyAsync();
        using (var lateFinish = await stack.LiveKitWebhookAsync("room_finished", call.Room)) await lateFinish.EnsureSuccessWithBodyAsync();

        await Task.Delay(Quiet);
        Assert.Equal("cancelled", await stack.StatusOfAsync(token, call.Id));
        Assert.Single(socket.UpdatesFor(call.Id));
        Assert.Single(socket.RingsFor(call.Id));
    }

    [Fact]
    public async Task A_resident_joining_the_room_answers_the_call_and_the_room_finishing_ends_it()
    {
        var tenant = await stack.Data.CreateTenantAsync("11");
        var resident = await stack.Data.AddResidentAsync(tenant, "11");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "11");
        var token = await stack.SignInAsync(resident);
        await using var flatmateSocket = await stack.ConnectAsync(await stack.SignInAsync(flatmate));
        var call = await stack.RingCallAsync(tenant, "11");
        await flatmateSocket.WaitForRingAsync(call.Id);

        // The door's own participant and strangers do not answer.
        using (var door = await stack.LiveKitWebhookAsync("participant_joined", call.Room, "door:0b9a4c1e-4b0e-4f7e-9a55-000000000001")) await door.EnsureSuccessWithBodyAsync();
        using (var stranger = await stack.LiveKitWebhookAsync("participant_joined", call.Room, $"user:{Guid.NewGuid()}")) await stranger.EnsureSuccessWithBodyAsync();
        Assert.Equal("ringing", await stack.StatusOfAsync(token, call.Id));

        using (var joined = await stack.LiveKitWebhookAsync("participant_joined", call.Room, $"user:{resident.Id}")) await joined.EnsureSuccessWithBodyAsync();
        var answered = await flatmateSocket.WaitForUpdateAsync(call.Id, "answered");
        Assert.Equal(resident.Id.ToString(), answered.GetProperty("call").GetProperty("answeredBy").GetString());
        using (var apiAnswer = await stack.ActAsync(await stack.SignInAsync(flatmate), call.Id, "answer")) await CallDriver.AssertProblemAsync(apiAnswer, HttpStatusCode.Conflict);

        using (var finished = await stack.LiveKitWebhookAsync("room_finished", call.Room)) await finished.EnsureSuccessWithBodyAsync();
        await flatmateSocket.WaitForUpdateAsync(call.Id, "ended");
        var stored = await stack.GetCallAsync(token, call.Id);
        Assert.Equal("ended", stored.GetProperty("status").GetString());
        Assert.Equal("room_finished", stored.GetProperty("endReason").GetString());
        Assert.Equal(AriHangupReasons.Normal, await stack.DoorHungUpAsync(call.DoorChannel));
    }

    [Fact]
    public async Task A_room_finishing_while_the_call_rings_closes_it_as_missed()
    {
        var tenant = await stack.Data.CreateTenantAsync("12");
        var resident = await stack.Data.AddResidentAsync(tenant, "12");
        var token = await stack.SignInAsync(resident);
        var call = await stack.RingCallAsync(tenant, "12");

        using (var finished = await stack.LiveKitWebhookAsync("room_finished", call.Room)) await finished.EnsureSuccessWithBodyAsync();

        Assert.Equal("missed", await stack.StatusOfAsync(token, call.Id));
        Assert.Equal(AriHangupReasons.NoAnswer, await stack.DoorHungUpAsync(call.DoorChannel)); // cause 19: the door hears 480
    }

    [Fact]
    public async Task A_socket_that_reconnects_gets_the_ringing_call_again_but_not_one_that_ended_meanwhile()
    {
        var tenant = await stack.Data.CreateTenantAsync("13");
        var resident = await stack.Data.AddResidentAsync(tenant, "13");
        var token = await stack.SignInAsync(resident);
        var ringing = await stack.RingCallAsync(tenant, "13");
        var ended = await stack.RingCallAsync(tenant, "13");
        await using (var first = await stack.ConnectAsync(token))
        {
            await first.WaitForRingAsync(ringing.Id);
            await first.WaitForRingAsync(ended.Id);
        }

        await stack.VisitorHangsUpAsync(ended);
        await stack.CallOfAsync(ended.DoorChannel, c => c.Status == "cancelled");
        await using var reconnected = await stack.ConnectAsync(token);

        await reconnected.WaitForRingAsync(ringing.Id, TimeSpan.FromSeconds(3));
        await Task.Delay(Quiet);
        Assert.Single(reconnected.RingsFor(ringing.Id));
        Assert.Empty(reconnected.RingsFor(ended.Id));
    }
}
