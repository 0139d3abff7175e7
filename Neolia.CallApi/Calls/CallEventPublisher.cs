using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.PushRegistrations;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.CallApi.Calls;

/// <summary>
/// Appends call events to the Redis stream the Notifier replicas read, keeps each recipient's ringing calls for
/// replay on connect, and pokes the readers through pub/sub so none of them has to poll. Whatever Redis does, the
/// caller (a webhook the dialplan waits for) gets on: an event Redis refuses stays in PostgreSQL's outbox
/// (<see cref="PendingCallEvent"/>) and <see cref="PendingCallEventPublisher"/> sends it once Redis is back.
/// </summary>
public sealed class CallEventPublisher(
    IConnectionMultiplexer redis,
    PushTargetLookup pushTargets,
    IDbContextFactory<NeoliaDb> databases,
    TimeProvider time,
    ILogger<CallEventPublisher> logger)
{
    private static readonly RedisChannel NotifyChannel = RedisChannel.Literal(CallEventStream.NotifyChannel);

    /// <summary>How long publishing may hold up a webhook: the dialplan gives the whole request 3 s.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    // Outbox rows whose event reached Redis at once: deleted in batches by the background publisher, off the webhook's path.
    private readonly Channel<long> _delivered = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    internal ChannelReader<long> Delivered => _delivered.Reader;

    /// <summary>Adds <paramref name="callEvent"/> to the outbox in <paramref name="db"/>'s unit of work (saved with the call).</summary>
    public static PendingCallEvent Stage(NeoliaDb db, CallEvent callEvent, DateTimeOffset now) =>
        db.Set<PendingCallEvent>().Add(new PendingCallEvent
        {
            CallId = callEvent.CallId,
            Payload = JsonSerializer.SerializeToUtf8Bytes(callEvent, ContractsJson.Default.CallEvent),
            CreatedAt = now,
        }).Entity;

    /// <summary>Publishes an event staged (and saved) with its call: on failure it simply stays in the outbox.</summary>
    public async Task<bool> PublishStagedAsync(CallEvent callEvent, PendingCallEvent staged)
    {
        var published = await TryPublishAsync(callEvent);
        if (published) _delivered.Writer.TryWrite(staged.Id);
        return published;
    }

    /// <returns>False when Redis could not take the event now: it is kept in the outbox and sent when Redis is back.</returns>
    public async Task<bool> PublishAsync(CallEvent callEvent)
    {
        callEvent = await WithPushTargetsAsync(callEvent);
        if (await TryPublishAsync(callEvent)) return true;
        try
        {
            await using var db = await databases.CreateDbContextAsync();
            Stage(db, callEvent, time.GetUtcNow());
            await db.SaveChangesAsync();
        }
        catch (Exception e) when (e is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            logger.LogError(e, "{EventType} for call {CallId} is lost: neither Redis nor PostgreSQL took it", callEvent.Type, callEvent.CallId);
        }
        return false;
    }

    /// <summary>
    /// Publishes events staged (and saved) together, e.g. the calls one sweep closed, in one Redis batch: on failure
    /// they all stay in the outbox.
    /// </summary>
    public async Task<bool> PublishStagedAsync(IReadOnlyList<(CallEvent Event, PendingCallEvent Staged)> staged)
    {
        if (staged.Count == 0) return true;
        var published = await TryPublishAsync(staged.Select(s => s.Event).ToList());
        if (published)
        {
            foreach (var (_, row) in staged) _delivered.Writer.TryWrite(row.Id);
        }
        return published;
    }

    /// <summary>Sends the event to Redis within the budget; false (logged) when Redis refused it or is not there.</summary>
    internal Task<bool> TryPublishAsync(CallEvent callEvent) => TryPublishAsync([callEvent]);

    /// <summary>Sends the events to Redis in one batch (in their order) within the budget; false (logged) when Redis refused them or is not there.</summary>
    private async Task<bool> TryPublishAsync(IReadOnlyList<CallEvent> callEvents)
    {
        var first = callEvents[0];
        if (!redis.IsConnected)
        {
            // Known down: no need to spend the webhook's budget waiting for a reconnect.
            logger.LogError("Redis unavailable: {EventType} for call {CallId} (and {Others} other event(s)) kept for when it is back", first.Type, first.CallId, callEvents.Count - 1);
            return false;
        }
        try
        {
            var db = redis.GetDatabase();
            var batch = db.CreateBatch();
            var tasks = new List<Task>(callEvents.Sum(e => 3 + e.Recipients.Count * 3));
            foreach (var callEvent in callEvents) AddEvent(batch, tasks, callEvent);
            // One poke wakes the readers for every entry of the batch.
            tasks.Add(batch.PublishAsync(NotifyChannel, RedisValue.EmptyString));
            batch.Execute();
            await Task.WhenAll(tasks).WaitAsync(Budget);
            return true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogError("Could not publish {EventType} for call {CallId} (and {Others} other event(s)) ({Message}): kept for when Redis is back",
                first.Type, first.CallId, callEvents.Count - 1, e.Message);
            return false;
        }
    }

    private void AddEvent(IBatch batch, List<Task> tasks, CallEvent callEvent)
    {
        // The ringing hashes change before the stream entry is appended (one connection, so Redis runs them in this
        // order): a socket that connects in between replays what the stream is about to say, never a call the stream
        // already closed.
        if (callEvent is { Type: CallEventTypes.Ringing, Call: { } details })
        {
            AddRinging(batch, tasks, callEvent.CallId, details, callEvent.Recipients);
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
    }

    /// <summary>
    /// Writes the ringing hashes of calls still ringing, without stream entries (nobody is rung again): what a Redis
    /// that restarted empty lost, so a socket that connects now still replays them.
    /// </summary>
    internal async Task RestoreRingingAsync(IEnumerable<(Guid CallId, IncomingCallDetails Details, IReadOnlyList<CallRecipient> Recipients)> calls)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var tasks = new List<Task>();
        foreach (var (callId, details, recipients) in calls) AddRinging(batch, tasks, callId, details, recipients);
        batch.Execute();
        await Task.WhenAll(tasks).WaitAsync(Budget * 5);
    }

    private void AddRinging(IBatch batch, List<Task> tasks, Guid callId, IncomingCallDetails details, IReadOnlyList<CallRecipient> recipients)
    {
        var ttl = details.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero) return;
        foreach (var recipient in recipients)
        {
            var incoming = IncomingCall.For(callId, details, recipient.LiveKitToken ?? "");
            var key = CallEventStream.RingingKey(recipient.UserId);
            tasks.Add(batch.HashSetAsync(key, callId.ToString(), JsonSerializer.SerializeToUtf8Bytes(incoming, ContractsJson.Default.IncomingCall)));
            // The hash lives as long as its newest call rings; older entries are dropped by their ExpiresAt when read.
            tasks.Add(batch.KeyExpireAsync(key, ttl, ExpireWhen.GreaterThanCurrentExpiry));
            tasks.Add(batch.KeyExpireAsync(key, ttl, ExpireWhen.HasNoExpiry));
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
