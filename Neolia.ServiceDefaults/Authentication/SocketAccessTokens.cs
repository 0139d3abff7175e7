using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Neolia.ServiceDefaults.Authentication;

/// <summary>Who a long-lived socket belongs to: all it keeps of its access token.</summary>
public readonly record struct SocketHolder(Guid UserId, long IssuedAtMs);

/// <summary>
/// Checks the access token of a WebSocket upgrade with the bearer scheme's own parameters and revocation rule, but
/// outside the authentication middleware. A socket lives for hours and holds its request for that long: through the
/// middleware it would also hold the principal, its claims, the parsed token and the handler's cached result (about
/// 6 KB per socket, measured in bench/RESULTS.md). Here only the user id and issue time outlive the check.
/// </summary>
public sealed class SocketAccessTokens(IOptionsMonitor<JwtBearerOptions> bearerOptions, RevocationCheck revocations, ILogger<SocketAccessTokens> logger)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>The socket's holder, or why the token is refused (to be answered with 401).</summary>
    public async Task<(SocketHolder? Holder, string? Refusal)> ValidateAsync(HttpRequest request)
    {
        var token = TokenOf(request);
        if (string.IsNullOrEmpty(token)) return (null, "No access token: connect with ?access_token= or an Authorization: Bearer header.");
        var parameters = bearerOptions.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) return (null, "The access token is invalid or expired.");
        var holder = HolderOf(result.ClaimsIdentity);
        if (holder is null) return (null, "The access token has no user id.");
        var refusal = await AuthenticationExtensions.RevocationRefusalAsync(revocations, holder.Value.UserId, holder.Value.IssuedAtMs, logger);
        return refusal is null ? (holder, null) : (null, refusal);
    }

    private static string? TokenOf(HttpRequest request)
    {
        if (request.Query.TryGetValue("access_token", out var query)) return query;
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static SocketHolder? HolderOf(ClaimsIdentity identity)
    {
        var principal = new ClaimsPrincipal(identity);
        return Guid.TryParse(principal.FindFirst(NeoliaClaims.UserId)?.Value, out var userId)
            ? new SocketHolder(userId, principal.GetIssuedAtMilliseconds())
            : null;
    }
}
