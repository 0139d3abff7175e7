using System.Diagnostics.Metrics;
using System.Text.Json;
using Neolia.Contracts;
using Neolia.Notifier.AdminBoard;
using StackExchange.Redis;

namespace Neolia.Notifier.CallEvents;

/// <summary>
/// Follows the call-event stream from this replica's own position and hands each event to the fan-out. CallApi
/// publishes a pub/sub poke after every append, so the reader wakes at once; a slow poll covers lost pokes
/// (Redis restarts, resubscription). It starts at the stream's end: calls that rang before it started reach
/// sockets through the replay on connect instead.
/// </summary>
public sealed class CallEventReader(
    IConnectionMultiplexer redis,
    CallEventFanOut fanOut,
    AdminBoardFanOut board,
    SeenCallEvents seen,
    ILogger<CallEventReader> logger,
    IMeterFactory meters) : BackgroundService
{
    private const int BatchSize = 256;
    private static readonly TimeSpan FallbackPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly SemaphoreSlim _poke = new(0, 1);
    private readonly Counter<long> _delivered = meters.Create("Neolia.Notifier").CreateCounter<long>("neolia.notifier.call_events", description: "Call events read from the stream");

    /// <summary>The id of the last entry handled (exposed for tests and diagnostics).</summary>
    public RedisValue Position { get; private set; } = RedisValue.Null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal(CallEventStream.NotifyChannel), (_, _) => Poke());

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (Position.IsNull) Position = await CurrentEndAsync();
                while (await ReadBatchAsync() == BatchSize) { }
                await _poke.WaitAsync(FallbackPoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning("Call event stream unavailable ({Message}); retrying", e.Message);
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void Poke()
    {
        if (_poke.CurrentCount == 0)
        {
            try { _poke.Release(); } catch (SemaphoreFullException) { }
        }
    }

    private async Task<RedisValue> CurrentEndAsync()
    {
        var last = await redis.GetDatabase().StreamRangeAsync(CallEventStream.Key, "-", "+", count: 1, messageOrder: Order.Descending);
        return last.Length == 0 ? "0-0" : last[0].Id;
    }

    private async Task<int> ReadBatchAsync()
    {
        var entries = await redis.GetDatabase().StreamReadAsync(CallEventStream.Key, Position, BatchSize);
        foreach (var entry in entries)
        {
            Position = entry.Id;
            CallEvent? callEvent;
            try
            {
                callEvent = JsonSerializer.Deserialize((byte[])entry[CallEventStream.DataField]!, ContractsJson.Default.CallEvent);
            }
            catch (JsonException e)
            {
                logger.LogError(e, "Skipped unreadable call event {EntryId}", entry.Id);
                continue;
            }
            // The outbox relay may have put this event on the stream twice: deliver it once.
            if (callEvent is null || !seen.FirstTime(callEvent.EventId)) continue;
            fanOut.Deliver(callEvent);
            board.Deliver(callEvent);
            _delivered.Add(1, new KeyValuePair<string, object?>("type", callEvent.Type));
        }
        return entries.Length;
    }
}
