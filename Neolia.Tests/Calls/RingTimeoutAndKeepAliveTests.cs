using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Calls;

[Collection(ShortRingStackCollection.Name)]
public sealed class RingTimeoutAndKeepAliveTests(ShortRingStackFixture stack)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_call_nobody_answers_is_missed_at_its_ring_timeout_and_the_sockets_are_told_once()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        var call = await stack.RingCallAsync(tenant, "1");
        var ring = (await socket.WaitForRingAsync(call.Id)).GetProperty("call");
        var expiresAt = ring.GetProperty("expiresAt").GetDateTimeOffset();

        var update = await socket.WaitForUpdateAsync(call.Id, "missed", TimeSpan.FromSeconds(ShortRingStackFixture.RingTimeoutSeconds + 5));

        Assert.True(DateTimeOffset.UtcNow >= expiresAt, "missed before the ring timeout");
        Assert.Equal(JsonValueKind.Null, update.GetProperty("call").TryGetProperty("answeredBy", out var by) ? by.ValueKind : JsonValueKind.Null);
        var stored = await stack.GetCallAsync(token, call.Id);
        Assert.Equal("missed", stored.GetProperty("status").GetString());
        Assert.Equal("ring_timeout", stored.GetProperty("endReason").GetString());

        // Asterisk's own NOANSWER arrives afterwards: its facts are kept, the outcome stays, nobody is told twice.
        using (var hangup = await stack.HangUpAsync(call.AsteriskCallId, "NOANSWER", dialedSec: "5"))
        {
            await hangup.EnsureSuccessWithBodyAsync();
            Assert.Equal("missed", (await hangup.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }
        using (var late = await stack.ActAsync(token, call.Id, "answer")) await CallDriver.AssertProblemAsync(late, System.Net.HttpStatusCode.Conflict);
        await Task.Delay(Quiet);
        Assert.Single(socket.UpdatesFor(call.Id));
        Assert.Equal("NOANSWER", (await stack.GetCallAsync(token, call.Id)).GetProperty("dialStatus").GetString());
    }

    [Fact]
    public async Task The_server_pings_and_drops_a_socket_that_never_answers_with_a_pong()
    {
        var tenant = await stack.Data.CreateTenantAsync("2");
        var resident = await stack.Data.AddResidentAsync(tenant, "2");
        var token = await stack.SignInAsync(resident);
        await using var wellBehaved = await stack.ConnectAsync(token);
        await using var silent = await RawWebSocket.ConnectAsync(stack.Stack.GatewayUrl, token);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var opcodes = new List<int>();
        while (await silent.ReadFrameAsync(deadline.Token) is { } frame)
        {
            opcodes.Add(frame.Opcode);
        }

        Assert.Contains(RawWebSocket.PingFrame, opcodes);
        Assert.False(deadline.IsCancellationRequested, $"the silent socket was not dropped (frames: {string.Join(",", opcodes)})");

        // The library client answers pings: it is still connected and still rings.
        var call = await stack.RingCallAsync(tenant, "2");
        await wellBehaved.WaitForRingAsync(call.Id);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, wellBehaved.State);
    }

    [Fact]
    public async Task After_Redis_restarts_a_new_call_still_rings_once_and_nothing_rings_twice()
    {
        var tenant = await stack.Data.CreateTenantAsync("3");
        var resident = await stack.Data.AddResidentAsync(tenant, "3");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        var before = await stack.RingCallAsync(tenant, "3");
        await socket.WaitForRingAsync(before.Id);

        await stack.Stack.Redis!.RestartAsync(TimeSpan.FromMilliseconds(500));
        await WaitHealthyAsync(stack.Stack.CallApi.Url);
        foreach (var notifier in stack.Stack.Notifiers) await WaitHealthyAsync(notifier.Url);

        var after = await stack.RingCallAsync(tenant, "3");
        await socket.WaitForRingAsync(after.Id);
        await using var newcomer = await stack.ConnectAsync(token);
        await newcomer.WaitForRingAsync(after.Id);

        await Task.Delay(Quiet);
        Assert.Single(socket.RingsFor(after.Id));
        Assert.Single(socket.RingsFor(before.Id));
        Assert.Single(newcomer.RingsFor(after.Id));

        // The lifecycle goes on too: the answer reaches the sockets through the new Redis.
        using (var answer = await stack.ActAsync(token, after.Id, "answer")) await answer.EnsureSuccessWithBodyAsync();
        await socket.WaitForUpdateAsync(after.Id, "answered");
    }

    private static async Task WaitHealthyAsync(Uri service)
    {
        using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"{service} did not become healthy again after Redis restarted");
            await Task.Delay(100);
        }
    }
}
