using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.CallControl;
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

        // CallApi's own timer rang the door out: no_answer, cause 19, which the door hears as 480, at the ring timeout.
        Assert.Equal(AriHangupReasons.NoAnswer, await stack.DoorHungUpAsync(call.DoorChannel));
        Assert.True(stack.Asterisk.AllChannels[call.DoorChannel].HungUpAt >= expiresAt.AddMilliseconds(-200), "the door was hung up before the ring timeout");
        Assert.Equal("19", stored.GetProperty("hangupCause").GetString());

        // The door channel's end reaches CallApi afterwards (its ChannelDestroyed): the outcome stays, nobody is told twice.
        await stack.Asterisk.RepeatChannelDestroyedAsync(call.DoorChannel, cause: 16);
        using (var late = await stack.ActAsync(token, call.Id, "answer")) await CallDriver.AssertProblemAsync(late, System.Net.HttpStatusCode.Conflict);
        await Task.Delay(Quiet);
        Assert.Single(socket.UpdatesFor(call.Id));
        var after = await stack.GetCallAsync(token, call.Id);
        Assert.Equal("missed", after.GetProperty("status").GetString());
        Assert.Equal("ring_timeout", after.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task Many_calls_that_ring_out_together_are_all_missed_and_each_socket_is_told_once()
    {
        // More calls than one sweep batch (RungOutCalls.RungOutBatchSize): most to an apartment nobody lives in,
        // some to a resident with an open socket.
        var tenant = await stack.Data.CreateTenantAsync("4", "5");
        var resident = await stack.Data.AddResidentAsync(tenant, "4");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);

        const int total = 520, toResident = 10;
        var calls = new RungCall[total];
        await Parallel.ForAsync(0, total, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => calls[i] = await stack.RingCallAsync(tenant, i < toResident ? "4" : "5"));
        var rungAt = DateTimeOffset.UtcNow;
        var residentCalls = calls[..toResident];
        foreach (var call in residentCalls) await socket.WaitForRingAsync(call.Id);

        // Every call is closed by CallApi's call control at its ring timeout (the sweeper's grace is the backstop), within
        // a few seconds after the last ring.
        var deadline = TimeSpan.FromSeconds(ShortRingStackFixture.RingTimeoutSeconds) + Neolia.CallApi.Calls.RungOutCalls.RingTimeoutGrace + TimeSpan.FromSeconds(5);
        foreach (var call in residentCalls) await socket.WaitForUpdateAsync(call.Id, "missed", deadline - (DateTimeOffset.UtcNow - rungAt));
        await using (var scope = stack.DataScope(out var db))
        {
            var ids = calls.Select(c => Guid.Parse(c.Id)).ToList();
            while (await db.Calls.CountAsync(c => ids.Contains(c.Id) && c.Status == "missed") < total && DateTimeOffset.UtcNow - rungAt < deadline) await Task.Delay(100);
            var outcomes = await db.Calls.Where(c => ids.Contains(c.Id)).GroupBy(c => new { c.Status, c.EndReason }).Select(g => new { g.Key.Status, g.Key.EndReason, Count = g.Count() }).ToListAsync();
            Assert.Equal([("missed", (string?)"ring_timeout", total)], outcomes.Select(o => (o.Status, o.EndReason, o.Count)));
        }
        // Each door was rung out by CallApi: no_answer (480).
        Assert.All(calls, c => Assert.Equal(AriHangupReasons.NoAnswer, stack.Asterisk.AllChannels[c.DoorChannel].HangupReason));

        await Task.Delay(Quiet);
        foreach (var call in residentCalls)
        {
            Assert.Single(socket.RingsFor(call.Id));
            Assert.Single(socket.UpdatesFor(call.Id));
        }
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

        await stack.Processes.Redis!.RestartAsync(TimeSpan.FromMilliseconds(500));
        await WaitHealthyAsync(stack.Stack.CallApiUrl);
        foreach (var notifier in stack.Processes.Notifiers) await WaitHealthyAsync(notifier.Url);

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
