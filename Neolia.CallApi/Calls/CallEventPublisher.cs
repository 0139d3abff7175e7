using System.Text.Json;
using System.Threading.Channels;
using Neolia.CallApi.Data;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.CallApi.Calls;

/// <summary>
/// Appends call events to the Redis stream the Notifier replicas read, keeps each recipient's ringing calls for
/// replay on connect, and pokes the readers through pub/sub so none of them has to poll. One rule for every event: it
/// is written to PostgreSQL's outbox (<see cref="PendingCallEvent"/>) in the same transaction as the state change it
/// reports (<see cref="Stage"/>), then published here right after the commit. Whatever Redis does, and even if this
/// process dies between the commit and the publish, <see cref="PendingCallEventPublisher"/> sends what is left; the
/// Notifier acts on each <see cref="CallEvent.EventId"/> once, so a copy sent twice reaches the phone once.
/// </summary>
public sealed class CallEventPublisher(IConnectionMultiplexer redis, TimeProvider time, ILogger<CallEventPublisher> logger)
{
    private static readonly RedisChannel NotifyChannel = RedisChannel.Literal(CallEventStream.NotifyChannel);

    /// <summary>How long publishing may hold up the call path: the door is waiting.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    // Outbox rows whose event reached Redis at once: deleted in batches by the background publisher, off the call's path.
    private readonly Channel<long> _delivered = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    internal ChannelReader<long> Delivered => _delivered.Reader;

    /// <summary>
    /// Adds <paramref name="callEvent"/>, with a new <see cref="CallEvent.EventId"/>, to the outbox in
    /// <paramref name="db"/>'s unit of work: it is saved with the change it reports, or not at all.
    /// </summary>
    public static StagedCallEvent Stage(NeoliaDb db, CallEvent callEvent, DateTimeOffset now)
    {
        var withId = callEvent with { EventId = Guid.CreateVersion7() };
        var row = db.Set<PendingCallEvent>().Add(new PendingCallEvent
        {
            CallId = withId.CallId,
            Payload = JsonSerializer.SerializeToUtf8Bytes(withId, ContractsJson.Default.CallEvent),
            CreatedAt = now,
        }).Entity;
        return new StagedCallEvent(withId, row);
    }

    /// <summary>Publishes an event staged and committed with its change: on failure it simply stays in the outbox.</summary>
    public Task<bool> PublishStagedAsync(StagedCallEvent staged) => PublishStagedAsync([staged]);

    /// <summary>
    /// Publishes events staged and committed together (e.g. the calls one sweep closed) in one Redis batch: on failure
    /// they all stay in the outbox.
    /// </summary>
    public async Task<bool> PublishStagedAsync(IReadOnlyList<StagedCallEvent> staged)
    {
        if (staged.Count == 0) return true;
        var published = await TryPublishAsync(staged.Select(s => s.Event).ToList());
        if (published)
        {
            foreach (var s in staged) _delivered.Writer.TryWrite(s.Row.Id);
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
            // Known down: no need to spend the call's budget waiting for a reconnect.
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
}

/// <summary>An event in the outbox with the change it reports, and its outbox row (deleted once it reached Redis).</summary>
public sealed record StagedCallEvent(CallEvent Event, PendingCallEvent Row);
