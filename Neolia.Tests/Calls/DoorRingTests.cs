using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.CallControl;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Calls;

/// <summary>The walking skeleton end to end: the door's channel in Asterisk's Stasis application (ARI) → CallApi → Redis → Notifier → gateway → the resident's sockets.</summary>
[Collection(StackCollection.Name)]
public sealed class DoorRingTests(StackFixture stack)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_ring_reaches_every_socket_of_the_apartments_residents_and_nobody_else()
    {
        var tenant = await stack.Data.CreateTenantAsync("1", "2");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "1");
        var neighbour = await stack.Data.AddResidentAsync(tenant, "2");
        var otherTenant = await stack.Data.CreateTenantAsync("1");
        var stranger = await stack.Data.AddResidentAsync(otherTenant, "1");

        var token = (await stack.LoginAsync(resident.Email, resident.Password)).AccessToken;
        await using var phone = await stack.ConnectAsync(token);
        await using var tablet = await stack.ConnectAsync(token, viaHeader: true);
        await using var flatmateSocket = await stack.ConnectAsync((await stack.LoginAsync(flatmate.Email, flatmate.Password)).AccessToken);
        await using var neighbourSocket = await stack.ConnectAsync((await stack.LoginAsync(neighbour.Email, neighbour.Password)).AccessToken);
        await using var strangerSocket = await stack.ConnectAsync((await stack.LoginAsync(stranger.Email, stranger.Password)).AccessToken);
        await phone.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");

        var call = await stack.RingCallAsync(tenant, "1");
        var (callId, room) = (call.Id, call.Room);
        // CallApi keeps the door ringing (180 Ringing to the door) while the apps ring.
        Assert.Single(stack.Asterisk.RequestsTo("POST", $"/ari/channels/{call.DoorChannel}/ring"));
        Assert.True(stack.DoorIsUp(call.DoorChannel));

        foreach (var socket in new[] { phone, tablet })
        {
            var ring = (await socket.WaitForRingAsync(callId)).GetProperty("call");
            Assert.Equal(room, ring.GetProperty("room").GetString());
            Assert.Equal("1", ring.GetProperty("apartment").GetString());
            Assert.Equal(tenant.DoorSipUsername, ring.GetProperty("caller").GetString());
            Assert.StartsWith("ws://", ring.GetProperty("livekitUrl").GetString());
            Assert.True(ring.GetProperty("expiresAt").GetDateTimeOffset() > ring.GetProperty("createdAt").GetDateTimeOffset());

            var claims = await LiveKitTokenAssert.ValidAsync(ring.GetProperty("calleeToken").GetString()!, stack.Secrets.LiveKitApiKey, stack.Secrets.LiveKitApiSecret);
            Assert.Equal($"user:{resident.Id}", claims.GetProperty("sub").GetString());
            var video = claims.GetProperty("video");
            Assert.Equal(room, video.GetProperty("room").GetString());
            Assert.True(video.GetProperty("roomJoin").GetBoolean());
            Assert.True(video.GetProperty("canSubscribe").GetBoolean());
        }
        var flatmateRing = (await flatmateSocket.WaitForRingAsync(callId)).GetProperty("call");
        var flatmateClaims = await LiveKitTokenAssert.ValidAsync(flatmateRing.GetProperty("calleeToken").GetString()!, stack.Secrets.LiveKitApiKey, stack.Secrets.LiveKitApiSecret);
        Assert.Equal($"user:{flatmate.Id}", flatmateClaims.GetProperty("sub").GetString());

        await Task.Delay(Quiet);
        Assert.Empty(neighbourSocket.MessagesOfType("incoming_call"));
        Assert.Empty(strangerSocket.MessagesOfType("incoming_call"));
        Assert.Single(phone.RingsFor(callId));
        Assert.Single(tablet.RingsFor(callId));
    }

    [Fact]
    public async Task The_same_door_channel_handed_over_twice_rings_once_and_dials_once()
    {
        var tenant = await stack.Data.CreateTenantAsync("7");
        var sip = $"{tenant.Slug}-app";
        var resident = await stack.Data.AddResidentAsync(tenant, "7", sipUsername: sip);
        await stack.Asterisk.RegisterAsync(sip, announce: false);
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);
        var call = await stack.RingCallAsync(tenant, "7");
        await Eventually.TrueAsync(() => stack.Asterisk.Originates(call.DoorChannel).Count == 1, what: "the SIP phone dialled");

        // Asterisk delivers the same channel's StasisStart again (as after its own reconnection).
        await stack.Asterisk.RepeatStasisStartAsync(call.DoorChannel, DoorCallSetup.DoorArgument, tenant.Slug, tenant.DoorSipUsername, "7");

        await socket.WaitForRingAsync(call.Id);
        await Task.Delay(Quiet);
        Assert.Single(socket.RingsFor(call.Id));
        var leg = Assert.Single(stack.Asterisk.Originates(call.DoorChannel));
        Assert.Equal($"PJSIP/{sip}", leg.Query["endpoint"]);
        Assert.Single(stack.Asterisk.RequestsTo("POST", $"/ari/channels/{call.DoorChannel}/ring"));
        await using (var scope = stack.DataScope(out var db)) Assert.Equal(1, await db.Calls.CountAsync(c => c.AsteriskCallId == call.DoorChannel));
        await stack.VisitorHangsUpAsync(call);
    }

    [Fact]
    public async Task Concurrent_repeats_of_a_door_channel_create_one_call_and_ring_once()
    {
        var tenant = await stack.Data.CreateTenantAsync("8");
        var resident = await stack.Data.AddResidentAsync(tenant, "8");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");

        var door = await stack.RingDoorAsync(tenant, "8");
        await Task.WhenAll(Enumerable.Range(0, 7).Select(_ =>
            stack.Asterisk.RepeatStasisStartAsync(door, DoorCallSetup.DoorArgument, tenant.Slug, tenant.DoorSipUsername, "8")));

        var call = await stack.CallOfAsync(door);
        await socket.WaitForRingAsync(call.Id.ToString());
        await Task.Delay(Quiet);
        Assert.Single(socket.RingsFor(call.Id.ToString()));
        await using (var scope = stack.DataScope(out var db)) Assert.Equal(1, await db.Calls.CountAsync(c => c.AsteriskCallId == door));
        Assert.True(stack.DoorIsUp(door), "the door was hung up");
        await stack.Asterisk.HangUpFromOutsideAsync(door);
    }

    [Theory]
    [InlineData("unknown-door", null, "4", AriHangupReasons.Rejected)]
    [InlineData(null, "no-such-tenant", "4", AriHangupReasons.Rejected)]
    [InlineData(null, null, "999", AriHangupReasons.Unallocated)]
    public async Task Unknown_door_tenant_or_apartment_is_refused_with_the_right_answer_and_rings_nobody(string? door, string? tenantSlug, string apartment, string reason)
    {
        var tenant = await stack.Data.CreateTenantAsync("4");
        var resident = await stack.Data.AddResidentAsync(tenant, "4");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");

        var channel = await stack.RingDoorAsync(tenant, apartment, door, tenantSlug);

        // rejected = cause 21 (the door hears 403), unallocated = cause 1 (404).
        Assert.Equal(reason, await stack.DoorHungUpAsync(channel));
        Assert.False(stack.Asterisk.WentToFallback(channel), "a refused call is not handed to the dialplan's fallback");
        Assert.Empty(stack.Asterisk.Originates(channel));
        await Task.Delay(Quiet);
        Assert.Empty(socket.MessagesOfType("incoming_call"));
        await using (var scope = stack.DataScope(out var db)) Assert.False(await db.Calls.AnyAsync(c => c.AsteriskCallId == channel));
    }

    [Fact]
    public async Task A_deactivated_door_is_rejected_and_rings_nobody()
    {
        var tenant = await stack.Data.CreateTenantAsync("4");
        var resident = await stack.Data.AddResidentAsync(tenant, "4");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
        await using (var scope = stack.DataScope(out var db))
        {
            await db.Devices.Where(d => d.SipUsername == tenant.DoorSipUsername).ExecuteUpdateAsync(s => s.SetProperty(d => d.IsActive, false));
        }

        var channel = await stack.RingDoorAsync(tenant, "4");

        Assert.Equal(AriHangupReasons.Rejected, await stack.DoorHungUpAsync(channel));
        await Task.Delay(Quiet);
        Assert.Empty(socket.MessagesOfType("incoming_call"));
    }

    [Fact]
    public async Task A_socket_that_connects_while_a_call_rings_gets_it_at_once()
    {
        var tenant = await stack.Data.CreateTenantAsync("5");
        var resident = await stack.Data.AddResidentAsync(tenant, "5");
        var callId = (await stack.RingCallAsync(tenant, "5")).Id;

        await using var lateSocket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);

        await lateSocket.WaitForRingAsync(callId, TimeSpan.FromSeconds(3));
        await Task.Delay(Quiet);
        Assert.Single(lateSocket.RingsFor(callId));
    }
}
