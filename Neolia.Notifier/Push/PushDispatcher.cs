using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.Notifier.Push;

/// <summary>
/// Sends the pushes of call events. One loop per replica reads <see cref="CallEventStream.Key"/> through the consumer
/// group <see cref="Group"/>, so with several Notifier replicas each event's pushes are sent by one of them; an entry
/// is acknowledged once all its pushes are settled (sent, dead token, or recorded as failed). Up to
/// <see cref="MaxInFlight"/> events are handled at once, so one event retrying a slow provider does not hold up the
/// others, and memory stays bounded. While an event is in hand its idle time is reset every third of
/// <see cref="PushOptions.ClaimIdle"/>, so no replica takes over an event that is merely slow; entries left pending
/// by a replica that died are claimed (XAUTOCLAIM) after <see cref="PushOptions.ClaimIdle"/> and sent. A retryable
/// failure is retried with backoff a bounded number of times, then recorded (log + <see cref="PushDeadLetterStream"/>);
/// dead tokens are reported on <see cref="PushFeedbackStream"/> for CallApi to delete. Consumers of dead replicas
/// (no pending entries, idle for <see cref="PushOptions.ForgetConsumersAfter"/>) are removed from the group.
/// </summary>
public sealed class PushDispatcher(
    IConnectionMultiplexer redis,
    PushSenders senders,
    IOptions<PushOptions> options,
    TimeProvider time,
    ILogger<PushDispatcher> logger) : BackgroundService
{
    public const string Group = "notifier-push";
    /// <summary>Events handled at once by one replica.</summary>
    public const int MaxInFlight = 64;
    private const int BatchSize = 32;
    private static readonly TimeSpan FallbackPoll = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim poke = new(0, 1);
    private readonly SemaphoreSlim slots = new(MaxInFlight, MaxInFlight);
    private readonly ConcurrentDictionary<RedisValue, Task> inFlight = new();
    private readonly PushOptions settings = options.Value;
    public string Consumer { get; } = string.IsNullOrWhiteSpace(options.Value.ConsumerName)
        ? $"{Environment.MachineName}-{Environment.ProcessId}" : options.Value.ConsumerName;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!senders.IsEnabled) return; // PushSenders logged once that push is disabled

        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(CallEventStream.NotifyChannel), (_, _) => Poke());

        var groupReady = false;
        var nextKeepAlive = time.GetUtcNow();
        var nextHousekeeping = time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var db = redis.GetDatabase();
                    if (!groupReady) groupReady = await EnsureGroupAsync(db);
                    if (time.GetUtcNow() >= nextKeepAlive)
                    {
                        await KeepInFlightAsync(db);
                        nextKeepAlive = time.GetUtcNow() + settings.ClaimIdle / 3;
                    }
                    if (time.GetUtcNow() >= nextHousekeeping)
                    {
                        await ForgetDeadConsumersAsync(db);
                        nextHousekeeping = time.GetUtcNow() + Min(TimeSpan.FromMinutes(1), settings.ForgetConsumersAfter);
                    }

                    var started = 0;
                    if (slots.CurrentCount > 0) started += await StartAllAsync(db, await ClaimAbandonedAsync(db), stoppingToken);
                    if (slots.CurrentCount > 0)
                    {
                        var entries = await db.StreamReadGroupAsync(CallEventStream.Key, Group, Consumer, ">", Math.Min(BatchSize, slots.CurrentCount));
                        started += await StartAllAsync(db, entries, stoppingToken);
                    }
                    // Nothing new, or no free slot: wait for a new event or a finished one (bounded, for claims and keep-alives).
                    if (started == 0 || slots.CurrentCount == 0) await poke.WaitAsync(Min(FallbackPoll, settings.ClaimIdle / 3), stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    if (e.Message.Contains("NOGROUP", StringComparison.Ordinal)) groupReady = false;
                    logger.LogWarning("Push dispatcher cannot read the call-event stream ({Message}); retrying", e.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
        }
        finally
        {
            // Stopping: pushes in hand are cancelled and their events left pending, for another replica to claim.
            await Task.WhenAll(inFlight.Values).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void Poke()
    {
        if (poke.CurrentCount == 0) try { poke.Release(); } catch (SemaphoreFullException) { }
    }

    /// <summary>The group starts at the stream's end when first created: older calls have stopped ringing.</summary>
    private static async Task<bool> EnsureGroupAsync(IDatabase db)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(CallEventStream.Key, Group, "$", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
        }
        return true;
    }

    /// <summary>Starts handling each entry not already in hand, waiting for a free slot when all are taken.</summary>
    private async Task<int> StartAllAsync(IDatabase db, StreamEntry[] entries, CancellationToken ct)
    {
        var started = 0;
        foreach (var entry in entries)
        {
            if (inFlight.ContainsKey(entry.Id)) continue; // our own slow event, claimed back from ourselves
            await slots.WaitAsync(ct);
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            inFlight[entry.Id] = gate.Task;
            _ = Task.Run(async () =>
            {
                try
                {
                    await HandleAsync(db, entry, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    // Left pending: claimed and handled again after Push:ClaimIdle.
                    logger.LogError(e, "Push dispatcher failed on call event {EntryId}; it will be retried after {ClaimIdle}", entry.Id, settings.ClaimIdle);
                }
                finally
                {
                    inFlight.TryRemove(entry.Id, out _);
                    slots.Release();
                    gate.TrySetResult();
                    Poke();
                }
            }, CancellationToken.None);
            started++;
        }
        return started;
    }

    /// <summary>Resets the idle time of the events in hand (XCLAIM JUSTID to ourselves), so no replica claims a merely slow one.</summary>
    private async Task KeepInFlightAsync(IDatabase db)
    {
        var ids = inFlight.Keys.ToArray();
        if (ids.Length > 0) await db.StreamClaimIdsOnlyAsync(CallEventStream.Key, Group, Consumer, 0, ids);
    }

    private async Task<StreamEntry[]> ClaimAbandonedAsync(IDatabase db)
    {
        var claimed = await db.StreamAutoClaimAsync(CallEventStream.Key, Group, Consumer,
            (long)settings.ClaimIdle.TotalMilliseconds, "0-0", Math.Min(BatchSize, slots.CurrentCount));
        var entries = claimed.ClaimedEntries.Where(e => !e.IsNull && !inFlight.ContainsKey(e.Id)).ToArray();
        if (entries.Length > 0) logger.LogInformation("Claimed {Count} call event(s) another replica left unsent", entries.Length);
        // Entries trimmed from the stream while pending come back as deleted ids: nothing to send, just acknowledge.
        foreach (var deleted in claimed.DeletedIds) await db.StreamAcknowledgeAsync(CallEventStream.Key, Group, deleted);
        return entries;
    }

    /// <summary>
    /// Replicas come and go (each has its own consumer name): a consumer with nothing pending that has not read for
    /// <see cref="PushOptions.ForgetConsumersAfter"/> is a dead replica's, and is deleted. A live replica reads every
    /// second; were it deleted anyway, its next read would recreate it, and with nothing pending nothing is lost.
    /// </summary>
    private async Task ForgetDeadConsumersAsync(IDatabase db)
    {
        var limit = (long)settings.ForgetConsumersAfter.TotalMilliseconds;
        foreach (var consumer in await db.StreamConsumerInfoAsync(CallEventStream.Key, Group))
        {
            if (consumer.Name == Consumer || consumer.PendingMessageCount > 0 || consumer.IdleTimeInMilliseconds < limit) continue;
            var pending = await db.StreamDeleteConsumerAsync(CallEventStream.Key, Group, consumer.Name);
            logger.LogInformation("Removed consumer {Consumer} (idle {Idle} s, {Pending} pending) from push group {Group}",
                consumer.Name, consumer.IdleTimeInMilliseconds / 1000, pending, Group);
        }
    }

    private async Task HandleAsync(IDatabase db, StreamEntry entry, CancellationToken ct)
    {
        CallEvent? callEvent = null;
        try
        {
            callEvent = JsonSerializer.Deserialize((byte[])entry[CallEventStream.DataField]!, ContractsJson.Default.CallEvent);
        }
        catch (JsonException e)
        {
            logger.LogError(e, "Skipped unreadable call event {EntryId}", entry.Id);
        }
        if (callEvent is not null && ToPush(callEvent) is { } push && await FirstEntryOfEventAsync(db, callEvent.EventId, entry.Id))
        {
            var sends = callEvent.Recipients
                .SelectMany(r => r.PushTargets ?? [])
                .DistinctBy(t => t.RegistrationId)
                .Select(target => SendWithRetriesAsync(db, entry.Id, target, push, ct));
            await Task.WhenAll(sends);
        }
        await db.StreamAcknowledgeAsync(CallEventStream.Key, Group, entry.Id);
    }

    /// <summary>
    /// True unless another stream entry of the same event was pushed already (the outbox relay may append an event
    /// twice). Shared by every replica through Redis; the entry's own id is kept, so a pending entry claimed again
    /// after a failure is still pushed.
    /// </summary>
    private static async Task<bool> FirstEntryOfEventAsync(IDatabase db, Guid eventId, RedisValue entryId)
    {
        if (eventId == Guid.Empty) return true;
        var key = $"neolia:pushed:{eventId:N}";
        if (await db.StringSetAsync(key, entryId, PushedEventMemory, When.NotExists)) return true;
        return await db.StringGetAsync(key) == entryId;
    }

    private static readonly TimeSpan PushedEventMemory = TimeSpan.FromMinutes(10);

    private CallPush? ToPush(CallEvent e) => e.Type switch
    {
        CallEventTypes.Ringing when e.Call is { } details => new CallPush
        {
            Kind = PushKind.Ring, EventType = e.Type, CallId = e.CallId, Status = e.Status,
            SentAt = e.OccurredAt, ExpiresAt = details.ExpiresAt, Details = details,
        },
        // A decline goes to the decliner only (their other devices stop ringing); the call may ring on for others.
        CallEventTypes.Answered or CallEventTypes.Ended or CallEventTypes.Declined => new CallPush
        {
            Kind = PushKind.Cancel, EventType = e.Type, CallId = e.CallId,
            Status = e.Type == CallEventTypes.Declined ? CallStatuses.Declined : e.Status,
            SentAt = e.OccurredAt, ExpiresAt = e.OccurredAt + TimeSpan.FromSeconds(settings.RingTimeoutSeconds), AnsweredBy = e.AnsweredBy,
        },
        _ => null,
    };

    private async Task SendWithRetriesAsync(IDatabase db, RedisValue entryId, PushTarget target, CallPush push, CancellationToken ct)
    {
        PushResult result = PushResult.Skip("not attempted");
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            result = await senders.SendAsync(target, push, ct);
            if (result.Outcome != PushOutcome.Retryable) break;
            if (attempt == settings.MaxAttempts) break;
            var backoff = TimeSpan.FromMilliseconds(settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.8 + Random.Shared.NextDouble() * 0.4));
            if (result.RetryAfter is { } after && after > backoff) backoff = after;
            // Never wait past the push's usefulness: a late ring is worse than none.
            if (time.GetUtcNow() + backoff >= push.ExpiresAt) break;
            logger.LogInformation("Push {Kind} for call {CallId} to registration {RegistrationId} failed ({Detail}); attempt {Attempt} of {Max} in {Delay} ms",
                push.Kind, push.CallId, target.RegistrationId, result.Detail, attempt + 1, settings.MaxAttempts, (int)backoff.TotalMilliseconds);
            await Task.Delay(backoff, time, ct);
        }

        switch (result.Outcome)
        {
            case PushOutcome.Sent:
                logger.LogDebug("Push {Kind} for call {CallId} sent to registration {RegistrationId} ({Platform})", push.Kind, push.CallId, target.RegistrationId, target.Platform);
                break;
            case PushOutcome.Skipped:
                logger.LogDebug("Push {Kind} for call {CallId} to registration {RegistrationId} skipped: {Detail}", push.Kind, push.CallId, target.RegistrationId, result.Detail);
                break;
            case PushOutcome.DeadToken:
                logger.LogInformation("Push token of registration {RegistrationId} ({Platform}) is dead ({Detail}); reporting it for removal", target.RegistrationId, target.Platform, result.Detail);
                await db.StreamAddAsync(PushFeedbackStream.Key, [
                    new(PushFeedbackStream.RegistrationIdField, target.RegistrationId.ToString()),
                    new(PushFeedbackStream.TokenField, target.Token),
                    new(PushFeedbackStream.ReasonField, result.Detail),
                ], maxLength: PushFeedbackStream.MaxLength, useApproximateMaxLength: true);
                break;
            default:
                logger.LogError("Push {Kind} for call {CallId} to registration {RegistrationId} ({Platform}) not sent: {Detail}", push.Kind, push.CallId, target.RegistrationId, target.Platform, result.Detail);
                await db.StreamAddAsync(PushDeadLetterStream.Key, [
                    new("entry_id", entryId),
                    new("call_id", push.CallId.ToString()),
                    new("kind", push.Kind.ToString()),
                    new("registration_id", target.RegistrationId.ToString()),
                    new("platform", target.Platform),
                    new("outcome", result.Outcome.ToString()),
                    new("detail", result.Detail),
                    new("at", time.GetUtcNow().ToString("O")),
                ], maxLength: PushDeadLetterStream.MaxLength, useApproximateMaxLength: true);
                break;
        }
    }
}
