using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Neolia.ServiceDefaults.Authentication;

/// <summary>
/// "Every access token of this user issued before T is dead", shared through Redis so CallApi (which decides) and
/// the Notifier (which never reads PostgreSQL) refuse the same tokens. Access tokens are stateless JWTs: without
/// this a deactivated user would keep working until the token expires, and an open socket would stay open.
/// </summary>
public sealed class TokenRevocations(IConnectionMultiplexer redis, ILogger<TokenRevocations> logger)
{
    /// <summary>Pub/sub channel carrying the id of a user whose tokens were just revoked (open sockets close on it).</summary>
    public static readonly RedisChannel RevokedChannel = RedisChannel.Literal("neolia:tokens-revoked");

    private static RedisKey KeyOf(Guid userId) => $"neolia:tokens-revoked-before:{userId:N}";

    /// <summary>
    /// Revokes every access token of <paramref name="userId"/> issued up to <paramref name="at"/>, and tells every
    /// service. The key lives as long as a token could, after which no token from before can be valid anyway.
    /// </summary>
    public async Task RevokeAsync(Guid userId, DateTimeOffset at, TimeSpan accessTokenLifetime)
    {
        // iat has whole seconds: rounding up revokes a token issued in the same second, before or after. A token
        // issued just after a revocation may be refused for that one second; a revoked one is never accepted.
        var revokedBefore = (long)Math.Ceiling(at.ToUnixTimeMilliseconds() / 1000.0);
        var db = redis.GetDatabase();
        await db.StringSetAsync(KeyOf(userId), revokedBefore, accessTokenLifetime + TimeSpan.FromMinutes(5));
        await redis.GetSubscriber().PublishAsync(RevokedChannel, userId.ToString("N"));
        logger.LogInformation("Access tokens of user {UserId} issued before {RevokedBefore} revoked", userId, revokedBefore);
    }

    /// <summary>
    /// Whether a token of <paramref name="userId"/> issued at <paramref name="issuedAt"/> (unix seconds) is revoked.
    /// When Redis cannot answer this throws: the caller refuses the token (fail closed), because a deactivated user
    /// must not get in through an outage, and both services already depend on Redis for calls.
    /// </summary>
    public async Task<bool> IsRevokedAsync(Guid userId, long issuedAt)
    {
        var value = await redis.GetDatabase().StringGetAsync(KeyOf(userId));
        return value.HasValue && issuedAt < (long)value;
    }

    /// <summary>Reads a revocation message's user id.</summary>
    public static Guid? UserIdOf(RedisValue message) => Guid.TryParse(message.ToString(), out var id) ? id : null;
}
