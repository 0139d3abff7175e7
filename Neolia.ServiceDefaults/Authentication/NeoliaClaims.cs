using System.Security.Claims;

namespace Neolia.ServiceDefaults.Authentication;

/// <summary>Claim names in Neolia access tokens (short JWT names; inbound claim mapping is off).</summary>
public static class NeoliaClaims
{
    public const string UserId = "sub";
    public const string Name = "name";
    public const string Email = "email";
    public const string Role = "role";
    public const string TenantId = "tenant";
    public const string IssuedAt = "iat";

    /// <summary>
    /// When the token was issued, in unix milliseconds: a revocation (sign-out, password change) and the fresh token
    /// issued in the same second must be told apart, and <c>iat</c> has whole seconds.
    /// </summary>
    public const string IssuedAtMilliseconds = "iat_ms";

    public static Guid GetUserId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst(UserId)?.Value, out var id) ? id : throw new InvalidOperationException("The access token has no user id.");

    /// <summary>When the token was issued (unix seconds); 0 when it does not say, which any revocation covers.</summary>
    public static long GetIssuedAt(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst(IssuedAt)?.Value, out var iat) ? iat : 0;

    /// <summary>When the token was issued (unix ms): <see cref="IssuedAtMilliseconds"/>, else <c>iat</c> (whole seconds); 0 when neither.</summary>
    public static long GetIssuedAtMilliseconds(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst(IssuedAtMilliseconds)?.Value, out var ms) ? ms : user.GetIssuedAt() * 1000;

    public static Guid? GetTenantId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst(TenantId)?.Value, out var id) ? id : null;
}
