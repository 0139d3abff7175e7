using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Auth;
using Neolia.CallApi.Data;
using Neolia.CallApi.RedisRecovery;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Users;

/// <summary>
/// Ends sessions: refresh tokens (PostgreSQL) and access tokens, whose revocation is written to PostgreSQL first
/// (<see cref="TokenRevocation"/>, the record of truth) and then to the Redis cache CallApi and the Notifier check (the
/// Notifier also closes the user's open sockets on it). If Redis misses the write, <see cref="RedisCacheRefill"/>
/// copies it over as soon as Redis answers.
/// </summary>
public sealed class AccountRevocation(
    NeoliaDb db,
    RefreshTokenStore refreshTokens,
    TokenRevocations cache,
    RedisCacheRefill refill,
    IOptions<JwtOptions> jwt,
    TimeProvider time,
    ILogger<AccountRevocation> logger)
{
    /// <summary>Deactivation, password change: every refresh token and every access token of the user.</summary>
    public async Task RevokeEverySessionAsync(Guid userId, CancellationToken ct)
    {
        await refreshTokens.RevokeAllAsync(userId, ct);
        await RevokeAccessTokensAsync(userId, ct);
    }

    /// <summary>
    /// Every access token of the user issued until now. Access tokens are stateless and carry no session, so a
    /// sign-out on one device ends the access tokens of all; the other devices get new ones with their refresh tokens.
    /// </summary>
    public async Task RevokeAccessTokensAsync(Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // A token issued in this very millisecond (the fresh one a password change hands out) stays valid.
        var revokedBefore = now.ToUnixTimeMilliseconds();
        var keepUntil = now + jwt.Value.AccessTokenLifetime + TimeSpan.FromMinutes(5);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "TokenRevocations" ("UserId", "RevokedBeforeMs", "KeepUntil") VALUES ({userId}, {revokedBefore}, {keepUntil})
            ON CONFLICT ("UserId") DO UPDATE SET "RevokedBeforeMs" = GREATEST("TokenRevocations"."RevokedBeforeMs", EXCLUDED."RevokedBeforeMs"),
                "KeepUntil" = GREATEST("TokenRevocations"."KeepUntil", EXCLUDED."KeepUntil")
            """, ct);
        try
        {
            await cache.CacheAsync(userId, revokedBefore, keepUntil, now, announce: true);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning("Revocation of user {UserId} not yet in Redis ({Message}): copied when Redis answers", userId, e.Message);
            refill.Request();
        }
    }
}
