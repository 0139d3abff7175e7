using System.Text.Json;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Neolia.Tests.Calls;

[Collection(SlowClientStackCollection.Name)]
public sealed class SlowClientTests(SlowClientStackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task A_socket_that_never_reads_is_dropped_while_the_apartments_other_socket_keeps_ringing_promptly()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var sleeper = await stack.Data.AddResidentAsync(tenant, "1");
        var awake = await stack.Data.AddResidentAsync(tenant, "1");
        await using var stuck = await RawWebSocket.ConnectAsync(stack.Stack.GatewayUrl, await stack.SignInAsync(sleeper), receiveBufferSize: 1024);
        await using var phone = await stack.ConnectAsync(await stack.SignInAsync(awake));
        await phone.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");

        // Before the Notifier's queue of 4 fills, the TCP and proxy buffers between it and the client take megabytes
        // (more than 1,500 real calls did not fill them). So both residents also get large rings (16 KB) straight on the
        // stream, in bursts smaller than the queue, each burst only once the reading socket has it: the same traffic
        // must drop the socket that does not read and never the one that does. Real door calls (over ARI) check
        // that the reading socket keeps ringing at once.
        using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Stack.RedisConnectionString);
        const int burst = SlowClientStackFixture.SendQueueCapacity - 1, maxRounds = 1000;
        var round = 0;
        while (!NotifierDropped(sleeper.Id) && round++ < maxRounds)
        {
            foreach (var callId in await FloodAsync(redis.GetDatabase(), [sleeper.Id, awake.Id], burst))
            {
                await phone.WaitForRingAsync(callId.ToString(), TimeSpan.FromSeconds(2));
            }
            if (round % 25 == 0)
            {
                var call = await stack.RingCallAsync(tenant, "1");
                await phone.WaitForRingAsync(call.Id, TimeSpan.FromSeconds(2));
            }
        }

        Assert.True(NotifierDropped(sleeper.Id), $"the stuck socket was not dropped after {round * burst} rings");
        output.WriteLine($"dropped after {round} rounds");
        Assert.True(await stuck.ReadUntilClosedAsync(TimeSpan.FromSeconds(10)), "the stuck socket is still open");
        var last = await stack.RingCallAsync(tenant, "1");
        await phone.WaitForRingAsync(last.Id, TimeSpan.FromSeconds(2));
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, phone.State);
    }

    [Fact]
    public async Task The_default_keep_alive_is_an_unsolicited_pong_that_needs_no_answer()
    {
        var tenant = await stack.Data.CreateTenantAsync("2");
        var resident = await stack.Data.AddResidentAsync(tenant, "2");
        await using var silent = await RawWebSocket.ConnectAsync(stack.Stack.GatewayUrl, await stack.SignInAsync(resident));

        // Four keep-alive intervals without a single answer from this client.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var opcodes = new List<int>();
        var ended = false;
        try
        {
            while (true)
            {
                if (await silent.ReadFrameAsync(deadline.Token) is not { } frame) { ended = true; break; }
                opcodes.Add(frame.Opcode);
            }
        }
        catch (OperationCanceledException) { }

        Assert.False(ended, $"the server closed a socket that only failed to answer keep-alives (frames: {string.Join(",", opcodes)})");
        Assert.True(opcodes.Count(o => o == RawWebSocket.PongFrame) >= 2, $"expected a pong a second, got frames {string.Join(",", opcodes)}");
        Assert.DoesNotContain(RawWebSocket.PingFrame, opcodes);
        Assert.DoesNotContain(RawWebSocket.CloseFrame, opcodes);
    }

    /// <summary>Ringing events of 16 KB each (a long caller name) for the given residents, appended as CallApi appends them.</summary>
    private static async Task<List<Guid>> FloodAsync(IDatabase redis, Guid[] userIds, int count)
    {
        var callIds = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        var now = DateTimeOffset.UtcNow;
        var appends = callIds.Select(callId =>
        {
            var callEvent = new CallEvent
            {
                Type = CallEventTypes.Ringing, CallId = callId, TenantId = Guid.NewGuid(), ApartmentId = Guid.NewGuid(),
                Status = CallStatuses.Ringing, OccurredAt = now, Recipients = userIds.Select(u => new CallRecipient(u, "token")).ToList(),
                Call = new IncomingCallDetails($"call-{callId:N}", "ws://unused", new string('x', 16 * 1024), "Door", "1", now, now.AddMinutes(1)),
            };
            return redis.StreamAddAsync(CallEventStream.Key, CallEventStream.DataField,
                JsonSerializer.SerializeToUtf8Bytes(callEvent, ContractsJson.Default.CallEvent));
        }).ToList();
        await Task.WhenAll(appends);
        await redis.PublishAsync(RedisChannel.Literal(CallEventStream.NotifyChannel), "");
        return callIds;
    }

    private bool NotifierDropped(Guid userId)
    {
        var log = Path.Combine(stack.Stack.LogDirectory, "notifier.log");
        using var file = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(file).ReadToEnd().Contains($"Dropped a socket of user {userId}", StringComparison.Ordinal);
    }
}
