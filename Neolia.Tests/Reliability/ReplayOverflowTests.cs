using System.Net.WebSockets;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Reliability;

/// <summary>
/// A resident with more calls ringing than a socket's send queue holds (32) still connects: the replay is bounded,
/// newest first, and never drops the socket.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ReplayOverflowTests(StackFixture stack, ITestOutputHelper output)
{
    private const int CallsRinging = 40;
    private const int ReplayLimit = 16; // half the default send queue (Sockets:SendQueueCapacity = 32)

    [Fact]
    public async Task A_resident_with_40_calls_ringing_connects_and_gets_the_newest_ones_then_live_calls()
    {
        var tenant = await stack.Data.CreateTenantAsync("101");
        var resident = await stack.Data.AddResidentAsync(tenant, "101");
        var token = await stack.SignInAsync(resident);
        var calls = new List<RungCall>();
        for (var i = 0; i < CallsRinging; i++) calls.Add(await stack.RingCallAsync(tenant, "101"));

        await using var socket = await stack.ConnectAsync(token);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");
        var newest = calls[^1];
        await socket.WaitForRingAsync(newest.Id);
        var live = await stack.RingCallAsync(tenant, "101");
        await socket.WaitForRingAsync(live.Id);

        var replayed = socket.MessagesOfType("incoming_call").Select(m => m.GetProperty("call").GetProperty("id").GetString()!)
            .Where(id => id != live.Id).ToList();
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal(ReplayLimit, replayed.Count);
        Assert.Equal(calls.TakeLast(ReplayLimit).Select(c => c.Id).Order(), replayed.Order());
        Figures.Print(output, $"Replay overflow: {CallsRinging} calls ringing; the socket stayed open, replayed the {replayed.Count} newest, then rang a live call");
    }
}
