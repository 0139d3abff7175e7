using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Neolia.CallApi.CallControl;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Administration;

/// <summary>What administrators set up through the API is what the door rings: the door's call over ARI, its SIP legs, sockets, deactivation.</summary>
[Collection(StackCollection.Name)]
public sealed class AdminRingTests(StackFixture stack)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    private async Task<(Guid Id, ApiSession Session)> AddResidentAsync(AdminTenant tenant)
    {
        var email = $"r{Guid.NewGuid():N}@{tenant.Slug}.test";
        var created = await tenant.Admin.PostAsync("/api/admin/residents", new
        {
            email, displayName = "Flatmate", password = AdminWorld.ResidentPassword, apartmentIds = new[] { tenant.ApartmentId },
        });
        return (created.Id(), await ApiSession.SignInAsync(stack, email, AdminWorld.ResidentPassword));
    }

    [Fact]
    public async Task A_door_and_residents_created_through_the_API_ring_and_a_removed_resident_no_longer_rings()
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform, apartmentNumber: "42");
        var flatmate = await AddResidentAsync(tenant);
        await using var residentSocket = await stack.ConnectAsync(tenant.Resident.Tokens!.AccessToken);
        await using var flatmateSocket = await stack.ConnectAsync(flatmate.Session.Tokens!.AccessToken);
        var monitor = (await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.MonitorId}")).GetProperty("sipUsername").GetString()!;
        await stack.Asterisk.RegisterAsync(monitor, announce: false);

        var first = await stack.RingCallAsync(tenant);
        // The apartment's indoor monitor, created through the API, rings over SIP with the apps.
        await Eventually.TrueAsync(() => stack.Asterisk.Originates(first.DoorChannel).Any(l => l.Query["endpoint"] == $"PJSIP/{monitor}"), what: "the monitor dialled");
        var firstCall = first.Id;
        await residentSocket.WaitForRingAsync(firstCall);
        await flatmateSocket.WaitForRingAsync(firstCall);

        using (var removed = await tenant.Admin.SendAsync(HttpMethod.Delete, $"/api/admin/residents/{flatmate.Id}/apartments/{tenant.ApartmentId}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        var secondCall = (await stack.RingCallAsync(tenant)).Id;

        await residentSocket.WaitForRingAsync(secondCall);
        await Task.Delay(Quiet);
        Assert.Empty(flatmateSocket.RingsFor(secondCall));
    }

    [Fact]
    public async Task A_deactivated_door_is_rejected()
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{tenant.DoorId}", new { name = "Main door", isActive = false });

        await using var socket = await stack.ConnectAsync(tenant.Resident.Tokens!.AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");

        var door = await stack.RingDoorAsync(tenant);

        Assert.Equal(AriHangupReasons.Rejected, await stack.DoorHungUpAsync(door)); // cause 21: the door hears 403
        Assert.Empty(stack.Asterisk.Originates(door));
        await Task.Delay(Quiet);
        Assert.Empty(socket.MessagesOfType("incoming_call"));
    }

    [Fact]
    public async Task A_deactivated_residents_socket_is_closed_their_tokens_refused_and_they_are_not_rung()
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        var (residentId, resident) = await AddResidentAsync(tenant);
        await using var socket = await stack.ConnectAsync(resident.Tokens!.AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
        await resident.GetAsync("/api/me");

        await tenant.Admin.PostAsync($"/api/admin/residents/{residentId}/deactivate");

        var closed = await Task.WhenAny(socket.Closed, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.True(closed == socket.Closed, "The Notifier kept the deactivated resident's socket open.");
        using (var me = await resident.SendAsync(HttpMethod.Get, "/api/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
        }
        using (var refresh = await stack.Gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = resident.Tokens.RefreshToken }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }
        using (var login = await stack.Gateway.PostAsJsonAsync("/api/auth/login", new { email = $"{(await tenant.Admin.GetAsync($"/api/admin/residents/{residentId}")).GetProperty("email").GetString()}", password = AdminWorld.ResidentPassword }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }
        using var refusedSocket = new ClientWebSocket();
        refusedSocket.Options.CollectHttpResponseDetails = true;
        var uri = new UriBuilder(stack.Stack.GatewayUrl) { Scheme = "ws", Path = "/ws", Query = $"access_token={resident.Tokens.AccessToken}" }.Uri;
        await Assert.ThrowsAsync<WebSocketException>(() => refusedSocket.ConnectAsync(uri, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, refusedSocket.HttpStatusCode);

        // Still a member of the apartment, but not rung while deactivated.
        await using var otherSocket = await stack.ConnectAsync(tenant.Resident.Tokens!.AccessToken);
        var callId = (await stack.RingCallAsync(tenant)).Id;
        await otherSocket.WaitForRingAsync(callId);
        var members = await tenant.Admin.GetAsync($"/api/admin/apartments/{tenant.ApartmentId}");
        Assert.Contains(members.GetProperty("residents").EnumerateArray(), r => r.Id() == residentId && !r.GetProperty("isActive").GetBoolean());

        // Reactivated (a second later: revocation has whole-second precision), they sign in again.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await tenant.Admin.PostAsync($"/api/admin/residents/{residentId}/reactivate");
        var again = await ApiSession.SignInAsync(stack, (await tenant.Admin.GetAsync($"/api/admin/residents/{residentId}")).GetProperty("email").GetString()!, AdminWorld.ResidentPassword);
        await again.GetAsync("/api/me");
    }
}
