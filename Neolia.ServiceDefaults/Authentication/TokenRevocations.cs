using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Neolia.ServiceDefaults.Authentication;

/// <summary>
/// "Every access token of this user issued before T is dead", cached in Redis so CallApi and the Notifier (which never
/// reads PostgreSQL) refuse the same tokens. The record of truth is CallApi's PostgreSQL table: CallApi writes there
/// first, then here, and refills this cache from it when Redis comes back empty (<see cref="MarkCompleteAsync"/>).
/// Until the cache is known to be complete, every token is refused: a Redis restart must not revive a revoked token.
/// </summary>
public sealed class TokenRevocations(IConnectionMultiplexer redis, ILogger<TokenRevocations> logger)
{
    /// <summary>Pub/sub channel carrying the id of a user whose tokens were just revoked (open sockets close on it).</summary>
    public static readonly RedisChannel RevokedChannel = RedisChannel.Literal("neolia:tokens-revoked");

    /// <summary>Present once CallApi has copied every live revocation from PostgreSQL into this Redis (no expiry).</summary>
    public static readonly RedisKey CompleteKey = "neolia:tokens-revoked:complete";

    private const string KeyPrefix = "neolia:tokens-revoked-before-ms:";

    private static RedisKey KeyOf(Guid userId) => $"{KeyPrefix}{userId:N}";

    // Keeps the later of two revocations: a refill from PostgreSQL never rolls back a revocation made meanwhile.
    private static readonly LuaScript SetLater = LuaScript.Prepare(
        "local current = tonumber(redis.call('GET', @key) or '0') " +
        "if current < tonumber(@value) then redis.call('SET', @key, @value, 'PX', @ttl) end return 1");

    /// <summary>The revocation of <paramref name="userId"/>'s tokens issued before <paramref name="revokedBefore"/> (unix ms).</summary>
    public async Task CacheAsync(Guid userId, long revokedBefore, DateTimeOffset keepUntil, DateTimeOffset now, bool announce)
    {
        var ttl = (long)Math.Max(1000, (keepUntil - now).TotalMilliseconds);
        await redis.GetDatabase().ScriptEvaluateAsync(SetLater, new { key = KeyOf(userId), value = revokedBefore, ttl });
        // Open sockets of the user close on this (also after a refill: an announcement made while Redis was down was lost).
        if (announce) await redis.GetSubscriber().PublishAsync(RevokedChannel, userId.ToString("N"));
        logger.LogInformation("Access tokens of user {UserId} issued before {RevokedBefore} (unix ms) revoked", userId, revokedBefore);
    }

    /// <summary>
    /// Whether the connection to Redis is up. While it is not, a command would wait in the client's backlog for its
    /// whole timeout (5 s) before failing: callers that have somewhere else to ask go there at once.
    /// </summary>
    public bool IsConnected => redis.IsConnected;

    /// <summary>Says that every revocation still in force is in this Redis; written by CallApi after a refill.</summary>
    public Task MarkCompleteAsync() => redis.GetDatabase().StringSetAsync(CompleteKey, "1");

    /// <summary>Whether the cache is known to be complete (false after Redis restarted empty, until CallApi refills it).</summary>
    public Task<bool> IsCompleteAsync() => redis.GetDatabase().KeyExistsAsync(CompleteKey);

    /// <summary>
    /// Whether a token of <paramref name="userId"/> issued at <paramref name="issuedAtMs"/> (unix ms) is revoked. Throws
    /// when Redis cannot answer and <see cref="RevocationsUnknownException"/> when the cache is not known to be complete:
    /// the caller refuses the token (fail closed), because a deactivated user must not get in through an outage.
    /// </summary>
    public async Task<bool> IsRevokedAsync(Guid userId, long issuedAtMs)
    {
        var values = await redis.GetDatabase().StringGetAsync([CompleteKey, KeyOf(userId)]);
        if (!values[0].HasValue) throw new RevocationsUnknownException();
        return values[1].HasValue && issuedAtMs < (long)values[1];
    }

    /// <summary>
    /// Every revocation the cache holds, with when it lapses, or null while the cache is not known complete: what a
    /// replica keeps its own copy from (<see cref="IRevocationFallback"/>). A few keys: revocations live an access token's lifetime.
    /// </summary>
    public async Task<IReadOnlyList<CachedRevocation>?> ReadAllAsync(DateTimeOffset now)
    {
        var db = redis.GetDatabase();
        if (!await db.KeyExistsAsync(CompleteKey)) return null;
        var all = new List<CachedRevocation>();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(db.Database, KeyPrefix + "*", pageSize: 1000))
            {
                if (!Guid.TryParseExact(key.ToString()[KeyPrefix.Length..], "N", out var userId)) continue;
                var entry = await db.StringGetWithExpiryAsync(key);
                if (!entry.Value.HasValue || !long.TryParse((string?)entry.Value, out var revokedBefore)) continue;
                all.Add(new CachedRevocation(userId, revokedBefore, entry.Expiry is { } ttl ? now + ttl : DateTimeOffset.MaxValue));
            }
        }
        return all;
    }

    /// <summary>One user's revocation as the cache holds it now (after a revocation message), or null.</summary>
    public async Task<CachedRevocation?> ReadAsync(Guid userId, DateTimeOffset now)
    {
        var entry = await redis.GetDatabase().StringGetWithExpiryAsync(KeyOf(userId));
        if (!entry.Value.HasValue || !long.TryParse((string?)entry.Value, out var revokedBefore)) return null;
        return new CachedRevocation(userId, revokedBefore, entry.Expiry is { } ttl ? now + ttl : DateTimeOffset.MaxValue);
    }

    /// <summary>Reads a revocation message's user id.</summary>
    public static Guid? UserIdOf(RedisValue message) => Guid.TryParse(message.ToString(), out var id) ? id : null;
}

/// <summary>
/// Token revocations cannot be known: the cache in Redis is not known to be complete (Redis restarted and CallApi has not
/// refilled it yet), or, from <see cref="RevocationCheck"/>, neither Redis nor the service's fallback could answer.
/// </summary>
public sealed class RevocationsUnknownException : Exception
{
    public RevocationsUnknownException() : base("The token revocations in Redis are not known to be complete.") { }

    public RevocationsUnknownException(Exception inner) : base("Token revocations could be read neither from Redis nor from the fallback.", inner) { }
}

/// <summary>"Tokens of <paramref name="UserId"/> issued before <paramref name="RevokedBeforeMs"/> (unix ms) are dead", until <paramref name="KeepUntil"/>.</summary>
public readonly record struct CachedRevocation(Guid UserId, long RevokedBeforeMs, DateTimeOffset KeepUntil);
