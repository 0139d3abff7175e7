using System.Text.Json;
using Neolia.CallApi.PushRegistrations;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.CallApi.Calls;

/// <summary>
/// Appends call events to the Redis stream the Notifier replicas read, keeps each recipient's ringing calls for
/// replay on connect, and pokes the readers through pub/sub so none of them has to poll.
/// </summary>
public sealed class CallEventPublisher(IConnectionMultiplexer redis, PushTargetLookup pushTargets, ILogger<CallEventPublisher> logger)
{
    private static readonly RedisChannel NotifyChannel = RedisChannel.Literal(CallEventStream.NotifyChannel);

    /// <summary>How long publishing may hold up a webhook: the dialplan gives the whole request 3 s.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    /// <returns>False when Redis could not be reached: the call still rings over SIP, but no app hears of it.</returns>
    public async Task<bool> PublishAsync(CallEvent callEvent)
    {
        callEvent = await WithPushTargetsAsync(callEvent);
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var tasks = new List<Task>(4 + callEvent.Recipients.Count * 2);

        // The ringing hashes change before the stream entry is appended (one connection, so Redis runs them in this
        // order): a socket that connects in between replays what the stream is about to say, never a call the stream
        // already closed.
        if (callEvent is { Type: CallEventTypes.Ringing, Call: { } details })
        {
            var ttl = details.ExpiresAt - callEvent.OccurredAt;
            foreach (var recipient in callEvent.Recipients)
            {
                var incoming = IncomingCall.For(callEvent.CallId, details, recipient.LiveKitToken ?? "");
                var key = CallEventStream.RingingKey(recipient.UserId);
                tasks.Add(batch.HashSetAsync(key, callEvent.CallId.ToString(), JsonSerializer.SerializeToUtf8Bytes(incoming, ContractsJson.Default.IncomingCall)));
                // The hash lives as long as its newest call rings; older entries are dropped by their ExpiresAt when read.
                tasks.Add(batch.KeyExpireAsync(key, ttl, ExpireWhen.GreaterThanCurrentExpiry));
                tasks.Add(batch.KeyExpireAsync(key, ttl, ExpireWhen.HasNoExpiry));
            }
        }
        else
        {
            foreach (var recipient in callEvent.Recipients)
            {
                tasks.Add(batch.HashDeleteAsync(CallEventStream.RingingKey(recipient.UserId), callEvent.CallId.ToString()));
            }
        }
        var payload = JsonSerializer.SerializeToUtf8Bytes(callEvent, ContractsJson.Default.CallEvent);
        tasks.Add(batch.StreamAddAsync(CallEventStream.Key, CallEventStream.DataField, payload,
            maxLength: CallEventStream.MaxLength, useApproximateMaxLength: true));
        tasks.Add(batch.PublishAsync(NotifyChannel, RedisValue.EmptyString));
        batch.Execute();

        try
        {
            await Task.WhenAll(tasks).WaitAsync(Budget);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogError(e, "Could not publish {EventType} for call {CallId}: apps will not hear of it", callEvent.Type, callEvent.CallId);
            return false;
        }
    }

    /// <summary>How long looking up push tokens may take out of the webhook's budget.</summary>
    private static readonly TimeSpan PushLookupBudget = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// Every event carries its recipients' push tokens, so the Notifier can wake closed apps without reading the
    /// database. Without them (database slow or down) the event still goes out: open apps hear of it over WebSocket.
    /// </summary>
    private async Task<CallEvent> WithPushTargetsAsync(CallEvent callEvent)
    {
        if (callEvent.Recipients.All(r => r.PushTargets is not null)) return callEvent; // loaded by the publisher's caller
        try
        {
            using var timeout = new CancellationTokenSource(PushLookupBudget);
            return callEvent with { Recipients = await pushTargets.AttachAsync(callEvent.TenantId, callEvent.Recipients, timeout.Token) };
        }
        catch (Exception e) when (e is OperationCanceledException or Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning("No push tokens attached to {EventType} for call {CallId} ({Message}): closed apps are not woken", callEvent.Type, callEvent.CallId, e.Message);
            return callEvent;
        }
    }
}
