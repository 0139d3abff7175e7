using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.CallApi.Media;

/// <summary>
/// Completes a task whenever any replica appended a call event (the stream's pub/sub poke), so a site relay's long
/// poll wakes when calls change instead of polling the database.
/// </summary>
public sealed class CallEventSignal : IHostedService
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<CallEventSignal> _logger;
    private TaskCompletionSource _next = NewSource();

    public CallEventSignal(IConnectionMultiplexer redis, ILogger<CallEventSignal> logger) => (_redis, _logger) = (redis, logger);

    /// <summary>Completes at the next call event anywhere.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(CallEventStream.NotifyChannel),
                (_, _) => Interlocked.Exchange(ref _next, NewSource()).TrySetResult());
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Long polls then re-read every few seconds: slower for site relays, never stuck.
            _logger.LogWarning("Call event pokes unavailable ({Message}): site relays' long polls fall back to re-reading", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
