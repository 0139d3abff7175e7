using Microsoft.Extensions.Options;
using Neolia.CallApi.Auth;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Users;

/// <summary>
/// Ends every session of a user at once: refresh tokens (PostgreSQL) and access tokens (the revocation in Redis that
/// CallApi and the Notifier check; the Notifier also closes the user's open sockets on it).
/// </summary>
public sealed class AccountRevocation(RefreshTokenStore refreshTokens, TokenRevocations revocations, IOptions<JwtOptions> jwt, TimeProvider time)
{
    public async Task RevokeEverySessionAsync(Guid userId, CancellationToken ct)
    {
        await refreshTokens.RevokeAllAsync(userId, ct);
        await revocations.RevokeAsync(userId, time.GetUtcNow(), jwt.Value.AccessTokenLifetime);
    }
}
