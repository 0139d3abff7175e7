using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.Auth;

/// <summary>Issues, rotates and revokes refresh tokens (opaque random strings; only their hash is stored).</summary>
public sealed class RefreshTokenStore(NeoliaDb db, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public async Task<string> IssueAsync(Guid userId, CancellationToken ct)
    {
        var (token, entity) = Create(userId);
        db.RefreshTokens.Add(entity);
        await db.SaveChangesAsync(ct);
        return token;
    }

    /// <summary>
    /// Exchanges a valid token for a new one. A rotated token used again (stolen, or replayed) revokes every token
    /// of its user, so a thief and the victim are both signed out rather than the thief staying in.
    /// </summary>
    public async Task<(Guid UserId, string Token)?> RotateAsync(string presented, CancellationToken ct)
    {
        var hash = Hash(presented);
        var existing = await db.RefreshTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        var now = time.GetUtcNow();
        if (existing is null || existing.ExpiresAt <= now) return null;
        if (existing.RevokedAt is not null)
        {
            // Only a token that was rotated away signals theft when it comes back. One revoked by a sign-out, a
            // password change or a deactivation is merely stale: the device that still holds it is refused, and the
            // user's current session elsewhere stays.
            if (existing.ReplacedById is not null) await RevokeAllAsync(existing.UserId, ct);
            return null;
        }

        var (token, successor) = Create(existing.UserId);
        existing.RevokedAt = now;
        existing.ReplacedById = successor.Id;
        db.RefreshTokens.Add(successor);
        // Two concurrent refreshes with the same token: only one may win.
        var updated = await db.RefreshTokens
            .Where(t => t.Id == existing.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now).SetProperty(t => t.ReplacedById, successor.Id), ct);
        if (updated == 0) return null;
        db.Entry(existing).State = EntityState.Unchanged;
        await db.SaveChangesAsync(ct);
        return (existing.UserId, token);
    }

    /// <returns>The token's user when the token was valid (and is now revoked), else null.</returns>
    public async Task<Guid?> RevokeAsync(string presented, CancellationToken ct)
    {
        var hash = Hash(presented);
        var now = time.GetUtcNow();
        var userId = await db.RefreshTokens.Where(t => t.TokenHash == hash && t.RevokedAt == null && t.ExpiresAt > now)
            .Select(t => (Guid?)t.UserId).SingleOrDefaultAsync(ct);
        if (userId is null) return null;
        await db.RefreshTokens.Where(t => t.TokenHash == hash && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        return userId;
    }

    public async Task RevokeAllAsync(Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    private (string Token, RefreshToken Entity) Create(Guid userId)
    {
        var token = Base64UrlToken();
        var now = time.GetUtcNow();
        return (token, new RefreshToken { UserId = userId, TokenHash = Hash(token), CreatedAt = now, ExpiresAt = now + Lifetime });
    }

    private static string Base64UrlToken() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
}
