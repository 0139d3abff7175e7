using System.Text.Json;
using Microsoft.Extensions.Options;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.Notifier.Push;

/// <summary>
/// Sends the pushes of call events. Reads <see cref="CallEventStream.Key"/> through the consumer group
/// <see cref="Group"/>, so with several Notifier replicas each event's pushes are sent by exactly one of them; an
/// entry is acknowledged once handled. Entries left pending by a replica that died are claimed (XAUTOCLAIM) after
/// <see cref="PushOptions.ClaimIdle"/> and sent. A retryable failure is retried with backoff a bounded number of
/// times, then recorded (log + <see cref="PushDeadLetterStream"/>); dead tokens are reported on
/// <see cref="PushFeedbackStream"/> for CallApi to delete.
/// </summary>
public sealed class PushDispatcher(
    IConnectionMultiplexer redis,
    PushSenders senders,
    IOptions<PushOptions> options,
    TimeProvider time,
    ILogger<PushDispatcher> logger) : BackgroundService
{
    public const string Group = "notifier-push";
    private const int BatchSize = 32;
    private static readonly TimeSpan FallbackPoll = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim poke = new(0, 1);
    private readonly PushOptions settings = options.Value;
    public string Consumer { get; } = string.IsNullOrWhiteSpace(options.Value.ConsumerName)
        ? $"{Environment.MachineName}-{Environment.ProcessId}" : options.Value.ConsumerName;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!senders.IsEnabled) return; // PushSenders logged once that push is disabled

        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(CallEventStream.NotifyChannel), (_, _) =>
        {
            if (poke.CurrentCount == 0) try { poke.Release(); } catch (SemaphoreFullException) { }
        });

        var groupReady = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var db = redis.GetDatabase();
                if (!groupReady) groupReady = await EnsureGroupAsync(db);
                var handled = await ClaimAbandonedAsync(db, stoppingToken);
                var entries = await db.StreamReadGroupAsync(CallEventStream.Key, Group, Consumer, ">", BatchSize);
                await HandleAsync(db, entries, stoppingToken);
                if (handled + entries.Length == 0) await poke.WaitAsync(FallbackPoll, stoppingToken);
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

    private async Task<int> ClaimAbandonedAsync(IDatabase db, CancellationToken ct)
    {
        var claimed = await db.StreamAutoClaimAsync(CallEventStream.Key, Group, Consumer,
            (long)settings.ClaimIdle.TotalMilliseconds, "0-0", BatchSize);
        var entries = claimed.ClaimedEntries.Where(e => !e.IsNull).ToArray();
        if (entries.Length > 0) logger.LogInformation("Claimed {Count} call event(s) another replica left unsent", entries.Length);
        // Entries trimmed from the stream while pending come back as deleted ids: nothing to send, just acknowledge.
        foreach (var deleted in claimed.DeletedIds) await db.StreamAcknowledgeAsync(CallEventStream.Key, Group, deleted);
        await HandleAsync(db, entries, ct);
        return entries.Length;
    }

    private async Task HandleAsync(IDatabase db, StreamEntry[] entries, CancellationToken ct)
    {
        foreach (var entry in entries)
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
            if (callEvent is not null && ToPush(callEvent) is { } push)
            {
                var sends = callEvent.Recipients
                    .SelectMany(r => r.PushTargets ?? [])
                    .DistinctBy(t => t.RegistrationId)
                    .Select(target => SendWithRetriesAsync(db, entry.Id, target, push, ct));
                await Task.WhenAll(sends);
            }
            await db.StreamAcknowledgeAsync(CallEventStream.Key, Group, entry.Id);
        }
    }

    private CallPush? ToPush(CallEvent e) => e.Type switch
    {
        CallEventTypes.Ringing when e.Call is { } details => new CallPush
        {
            Kind = PushKind.Ring, EventType = e.Type, CallId = e.CallId, Status = e.Status,
            SentAt = e.OccurredAt, ExpiresAt = details.ExpiresAt, Details = details,
        },
        CallEventTypes.Answered or CallEventTypes.Ended => new CallPush
        {
            Kind = PushKind.Cancel, EventType = e.Type, CallId = e.CallId, Status = e.Status,
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
