using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Neolia.ServiceDefaults.Authentication;

/// <summary>
/// A second place a replica may look token revocations up when Redis cannot answer (down, or restarted and not yet
/// refilled): CallApi asks PostgreSQL, the record of truth; the Notifier, which has no database, its own copy kept
/// from Redis. Returns null when it cannot answer either: the token is then refused.
/// </summary>
public interface IRevocationFallback
{
    /// <summary>What the fallback is, for logs.</summary>
    string Source { get; }

    /// <summary>Whether a token of the user issued at <paramref name="issuedAtMs"/> (unix ms) is revoked, or null (no answer). Never throws.</summary>
    ValueTask<bool?> IsRevokedAsync(Guid userId, long issuedAtMs, CancellationToken ct);
}

/// <summary>
/// The one revocation rule of the bearer scheme, the sockets' upgrade and the sockets' re-check: Redis first (every
/// replica sees a revocation there at once), then the service's <see cref="IRevocationFallback"/>, and only when
/// neither answers is the token refused (fail closed: a deactivated user must not get in through an outage).
/// </summary>
public sealed class RevocationCheck(TokenRevocations redis, IEnumerable<IRevocationFallback> fallbacks, ILogger<RevocationCheck> logger)
{
    private readonly IRevocationFallback? _fallback = fallbacks.LastOrDefault();

    // One warning when Redis stops answering, one when it answers again: not one per request of an outage.
    private int _redisFailing;

    /// <summary>Whether the token is revoked; throws <see cref="RevocationsUnknownException"/> when nobody can say.</summary>
    public async Task<bool> IsRevokedAsync(Guid userId, long issuedAtMs, CancellationToken ct = default)
    {
        Exception? failure = null;
        // Not connected: a command would wait in the client's backlog for its whole timeout; the fallback answers now.
        if (redis.IsConnected || _fallback is null)
        {
            try
            {
                var revoked = await redis.IsRevokedAsync(userId, issuedAtMs);
                if (Interlocked.Exchange(ref _redisFailing, 0) == 1) logger.LogInformation("Token revocations are read from Redis again");
                return revoked;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or RevocationsUnknownException)
            {
                failure = e;
            }
        }
        var answer = _fallback is null ? null : await _fallback.IsRevokedAsync(userId, issuedAtMs, ct);
        if (Interlocked.Exchange(ref _redisFailing, 1) == 0)
        {
            logger.LogWarning("Token revocations cannot be read from Redis ({Message}); {Fallback}", failure?.Message ?? "not connected",
                _fallback is null ? "no fallback: tokens are refused" : $"reading them from {_fallback.Source}");
        }
        return answer ?? throw (failure is null ? new RevocationsUnknownException() : new RevocationsUnknownException(failure));
    }
}
