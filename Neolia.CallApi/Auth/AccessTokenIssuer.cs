using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Neolia.CallApi.Users;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Auth;

/// <summary>Signs the short-lived access tokens that CallApi and the Notifier accept.</summary>
public sealed class AccessTokenIssuer(IOptions<JwtOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials =
        new(AuthenticationExtensions.CreateSigningKey(options.Value), SecurityAlgorithms.HmacSha256);

    public (string Token, DateTimeOffset ExpiresAt) Issue(User user, IEnumerable<string> roles)
    {
        var jwt = options.Value;
        var now = time.GetUtcNow();
        var expires = now + jwt.AccessTokenLifetime;
        var claims = new List<Claim>
        {
            new(NeoliaClaims.UserId, user.Id.ToString()),
            new(NeoliaClaims.Name, user.DisplayName),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            new(NeoliaClaims.IssuedAtMilliseconds, now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        };
        if (user.Email is { } email) claims.Add(new(NeoliaClaims.Email, email));
        if (user.TenantId is { } tenantId) claims.Add(new(NeoliaClaims.TenantId, tenantId.ToString()));
        claims.AddRange(roles.Select(role => new Claim(NeoliaClaims.Role, role)));

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _credentials,
        });
        return (token, expires);
    }
}
