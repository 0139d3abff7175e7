using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Users;

/// <summary>
/// Token revocations read from their record of truth (<see cref="TokenRevocation"/>) while Redis cannot answer: CallApi
/// keeps serving the phones (sign-in refresh, answer, open-door) through a Redis outage, and still refuses every token
/// that was revoked, even one revoked during the outage. No answer (null) when PostgreSQL does not answer either.
/// </summary>
internal sealed class PostgresRevocations(IServiceScopeFactory scopes, TimeProvider time, ILogger<PostgresRevocations> logger) : IRevocationFallback
{
    /// <summary>A request waits at most this long for the answer; past it the token is refused (fail closed).</summary>
    internal static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public string Source => "PostgreSQL";

    public async ValueTask<bool?> IsRevokedAsync(Guid userId, long issuedAtMs, CancellationToken ct)
    {
        try
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
            budget.CancelAfter(Budget);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
            // No retries: within the budget, one answer or none (the scoped context resets this for its next user).
            db.FailFast = true;
            var now = time.GetUtcNow();
            var revokedBefore = await db.TokenRevocations.AsNoTracking()
                .Where(r => r.UserId == userId && r.KeepUntil > now)
                .Select(r => (long?)r.RevokedBeforeMs)
                .SingleOrDefaultAsync(budget.Token);
            return revokedBefore is { } before && issuedAtMs < before;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("Token revocation of user {UserId} could not be read from PostgreSQL either ({Message})", userId, e.Message);
            return null;
        }
    }
}
