using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.AdminConsole;

/// <summary>
/// What the console builds on, through the gateway of a real stack: "test this door" rings through the door-call
/// service and is marked in the history, the history's filters, and the Notifier's admin board socket, which shows a
/// tenant's calls to that tenant's administrators (and platform administrators) only.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class AdminBoardAndTestCallTests(StackFixture stack)
{
    [Fact]
    public async Task Test_this_door_rings_the_apartments_residents_and_the_history_marks_the_call_as_a_test()
    {
        var world = await AdminWorld.OfAsync(stack);
        var a = world.A;
        await using var phone = await stack.ConnectAsync(a.Resident.Tokens!.AccessToken);

        var rung = await a.Admin.PostAsync($"/api/admin/devices/{a.DoorId}/test-call", new { apartment = a.ApartmentNumber });
        var callId = rung.GetProperty("callId").GetString()!;

        var ring = await phone.WaitForRingAsync(callId);
        Assert.Equal(a.ApartmentNumber, ring.GetProperty("call").GetProperty("apartment").GetString());
        var history = await a.Admin.GetAsync($"/api/admin/calls?deviceId={a.DoorId}&status=ringing");
        var call = history.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("id").GetString() == callId);
        Assert.True(call.GetProperty("isTest").GetBoolean());
        Assert.Equal(a.SiteId, call.GetProperty("siteId").GetGuid());
        Assert.Equal("Main door", call.GetProperty("device").GetString());

        // Filters narrow it out as a person expects.
        Assert.DoesNotContain(callId, Ids(await a.Admin.GetAsync($"/api/admin/calls?status=answered")));
        Assert.DoesNotContain(callId, Ids(await a.Admin.GetAsync($"/api/admin/calls?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"))}")));
        Assert.Contains(callId, Ids(await a.Admin.GetAsync($"/api/admin/calls?siteId={a.SiteId}&apartmentId={a.ApartmentId}")));
        // The other tenant sees nothing of it, even naming A's site.
        Assert.DoesNotContain(callId, Ids(await world.B.Admin.GetAsync("/api/admin/calls")));
        Assert.Empty(Ids(await world.B.Admin.GetAsync($"/api/admin/calls?siteId={a.SiteId}")));

        // The devices list says when the door last rang.
        var doors = await a.Admin.GetAsync($"/api/admin/devices?siteId={a.SiteId}&search=main");
        var door = doors.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(JsonValueKind.String, door.GetProperty("lastCallAt").ValueKind);
    }

    [Fact]
    public async Task Test_this_door_refuses_another_tenants_door_an_unknown_apartment_a_monitor_and_residents()
    {
        var world = await AdminWorld.OfAsync(stack);
        var a = world.A;

        using var foreign = await world.B.Admin.SendAsync(HttpMethod.Post, $"/api/admin/devices/{a.DoorId}/test-call", new { apartment = a.ApartmentNumber });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);

        using var unknown = await a.Admin.SendAsync(HttpMethod.Post, $"/api/admin/devices/{a.DoorId}/test-call", new { apartment = "9999" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var problem = JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("apartment", out _));

        using var monitor = await a.Admin.SendAsync(HttpMethod.Post, $"/api/admin/devices/{a.MonitorId}/test-call", new { apartment = a.ApartmentNumber });
        Assert.Equal(HttpStatusCode.BadRequest, monitor.StatusCode);

        using var resident = await a.Resident.SendAsync(HttpMethod.Post, $"/api/admin/devices/{a.DoorId}/test-call", new { apartment = a.ApartmentNumber });
        Assert.Equal(HttpStatusCode.Forbidden, resident.StatusCode);

        using var badStatus = await a.Admin.SendAsync(HttpMethod.Get, "/api/admin/calls?status=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        using var backwards = await a.Admin.SendAsync(HttpMethod.Get, "/api/admin/calls?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
    }

    [Fact]
    public async Task The_admin_board_socket_shows_a_tenants_calls_to_its_administrators_and_the_platforms_only()
    {
        var world = await AdminWorld.OfAsync(stack);
        await using var boardA = await BoardAsync(world.A.Admin);
        await using var boardB = await BoardAsync(world.B.Admin);
        await using var platform = await BoardAsync(world.PlatformAdmin);

        var callA = (await world.A.Admin.PostAsync($"/api/admin/devices/{world.A.DoorId}/test-call", new { apartment = world.A.ApartmentNumber }))
            .GetProperty("callId").GetString()!;
        var ringing = await boardA.WaitForAsync(m => IsBoardCall(m, callA), what: "A's call on A's board");
        var call = ringing.GetProperty("call");
        Assert.Equal("call.ringing", call.GetProperty("event").GetString());
        Assert.Equal("ringing", call.GetProperty("status").GetString());
        Assert.Equal("Main door", call.GetProperty("device").GetString());
        Assert.Equal(world.A.ApartmentNumber, call.GetProperty("apartment").GetString());
        Assert.True(call.GetProperty("isTest").GetBoolean());
        await platform.WaitForAsync(m => IsBoardCall(m, callA), what: "A's call on the platform's board");

        // The resident declines: the boards hear that the call is over.
        await world.A.Resident.PostAsync($"/api/calls/{callA}/decline");
        await boardA.WaitForAsync(m => IsBoardCall(m, callA) && m.GetProperty("call").GetProperty("status").GetString() == "declined", what: "the decline");

        // B's board gets B's own call (events are delivered in stream order), and never saw A's.
        var callB = (await world.B.Admin.PostAsync($"/api/admin/devices/{world.B.DoorId}/test-call", new { apartment = world.B.ApartmentNumber }))
            .GetProperty("callId").GetString()!;
        await boardB.WaitForAsync(m => IsBoardCall(m, callB), what: "B's call on B's board");
        Assert.DoesNotContain(boardB.MessagesOfType("board_call"), m => IsBoardCall(m, callA));
        Assert.DoesNotContain(boardA.MessagesOfType("board_call"), m => IsBoardCall(m, callB));
    }

    [Fact]
    public async Task The_admin_board_socket_refuses_residents_and_anonymous_callers()
    {
        var world = await AdminWorld.OfAsync(stack);
        var resident = await Assert.ThrowsAsync<WebSocketException>(() => BoardAsync(world.A.Resident));
        Assert.Contains("403", resident.Message);
        var anonymous = await Assert.ThrowsAsync<WebSocketException>(() => BoardAsync(ApiSession.Anonymous(stack)));
        Assert.Contains("401", anonymous.Message);
    }

    private async Task<ResidentSocket> BoardAsync(ApiSession admin)
    {
        var socket = new ClientWebSocket();
        if (admin.Tokens is { } tokens) socket.Options.SetRequestHeader("Authorization", $"Bearer {tokens.AccessToken}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new UriBuilder(stack.Stack.GatewayUrl) { Scheme = "ws", Path = "/ws/admin" }.Uri, timeout.Token);
        var board = ResidentSocket.Start(socket);
        await board.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
        return board;
    }

    private static bool IsBoardCall(JsonElement message, string callId) =>
        message.GetProperty("type").GetString() == "board_call" && message.GetProperty("call").GetProperty("id").GetString() == callId;

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
}
