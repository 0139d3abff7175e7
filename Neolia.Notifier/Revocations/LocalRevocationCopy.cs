using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using Neolia.ServiceDefaults.Authentication;
using StackExchange.Redis;

namespace Neolia.Notifier.Revocations;

/// <summary>
/// The Notifier has no database: it keeps its own copy of the revocations Redis holds, read whole every
/// <see cref="LocalRevocationCopyOptions.ReloadInterval"/> and updated by each revocation message, and answers from it
/// while Redis cannot (down, or restarted and not refilled yet), so phones keep connecting through a Redis outage. A
/// copy never read whole, or older than <see cref="LocalRevocationCopyOptions.LocalCopyMaxAge"/>, does not answer.
/// </summary>
internal sealed class LocalRevocationCopy(
    IConnectionMultiplexer redis, TokenRevocations revocations, TimeProvider time, IOptions<LocalRevocationCopyOptions> options,
    ILogger<LocalRevocationCopy> logger) : BackgroundService, IRevocationFallback
{
    private sealed record Copy(ImmutableDictionary<Guid, CachedRevocation> Revocations, DateTimeOffset ReadWholeAt);

    private volatile Copy? _copy;
    private readonly Lock _writes = new();

    public string Source => "this replica's copy";

    public ValueTask<bool?> IsRevokedAsync(Guid userId, long issuedAtMs, CancellationToken ct)
    {
        var copy = _copy;
        var now = time.GetUtcNow();
        if (copy is null || now - copy.ReadWholeAt > options.Value.LocalCopyMaxAge) return ValueTask.FromResult<bool?>(null);
        var revoked = copy.Revocations.TryGetValue(userId, out var r) && r.KeepUntil > now && issuedAtMs < r.RevokedBeforeMs;
        return ValueTask.FromResult<bool?>(revoked);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var messages = await redis.GetSubscriber().SubscribeAsync(TokenRevocations.RevokedChannel);
            messages.OnMessage(OnRevokedAsync);
        }
        catch (RedisException e)
        {
            // Subscriptions are restored by the client when Redis answers; until then the reloads keep the copy.
            logger.LogWarning("Could not subscribe to revocation messages ({Message})", e.Message);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            await ReloadAsync();
            // Until the first whole read (Redis not there yet, or not yet filled by CallApi) every second: a replica
            // without a copy refuses every token while Redis is away.
            var wait = _copy is null ? FirstReadRetry : options.Value.ReloadInterval;
            try { await Task.Delay(wait, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static readonly TimeSpan FirstReadRetry = TimeSpan.FromSeconds(1);

    /// <summary>Reads every revocation from Redis; keeps the copy as it is when Redis cannot say (down, not refilled).</summary>
    internal async Task ReloadAsync()
    {
        try
        {
            var now = time.GetUtcNow();
            if (await revocations.ReadAllAsync(now) is not { } all) return;
            Merge(all, readWholeAt: now);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug("Revocations not reloaded from Redis ({Message})", e.Message);
        }
    }

    private async Task OnRevokedAsync(ChannelMessage message)
    {
        if (TokenRevocations.UserIdOf(message.Message) is not { } userId) return;
        try
        {
            if (await revocations.ReadAsync(userId, time.GetUtcNow()) is { } revocation) Merge([revocation], readWholeAt: null);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug("Revocation of user {UserId} not read ({Message}); the next reload brings it", userId, e.Message);
        }
    }

    /// <summary>
    /// Adds revocations, keeping the later one of a user (as Redis does) and dropping lapsed ones: a reload that read
    /// Redis just before a message arrived must not lose what the message added.
    /// </summary>
    private void Merge(IEnumerable<CachedRevocation> revocations, DateTimeOffset? readWholeAt)
    {
        lock (_writes)
        {
            var now = time.GetUtcNow();
            var current = _copy;
            var builder = (current?.Revocations ?? ImmutableDictionary<Guid, CachedRevocation>.Empty).ToBuilder();
            foreach (var (userId, _) in builder.Where(kv => kv.Value.KeepUntil <= now).ToList()) builder.Remove(userId);
            foreach (var r in revocations)
            {
                if (!builder.TryGetValue(r.UserId, out var known) || known.RevokedBeforeMs < r.RevokedBeforeMs) builder[r.UserId] = r;
            }
            // A message alone does not make the copy complete: only a whole read moves its age.
            var wholeAt = readWholeAt ?? current?.ReadWholeAt;
            _copy = wholeAt is { } at ? new Copy(builder.ToImmutable(), at) : null;
        }
    }
}
