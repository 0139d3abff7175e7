using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Neolia.ServiceDefaults.Authentication;

public static class AuthenticationExtensions
{
    /// <summary>
    /// Bearer authentication with Neolia's access tokens. Browsers and mobile WebSocket clients cannot always
    /// set headers on an upgrade request, so <c>?access_token=</c> is accepted too, but only on
    /// <paramref name="queryTokenPaths"/>. On <paramref name="socketPaths"/> the bearer scheme stands aside: their endpoints
    /// check the token themselves with <see cref="SocketAccessTokens"/>, so that an open socket does not hold a principal
    /// for its whole life. A token whose user was revoked (<see cref="RevocationCheck"/>: cached in Redis, else the
    /// service's <see cref="IRevocationFallback"/>) is refused here, so every service that authenticates this way refuses
    /// it alike; the service must register Redis (<c>AddRedisClient("redis")</c>, Aspire.StackExchange.Redis).
    /// </summary>
    public static TBuilder AddNeoliaAuthentication<TBuilder>(this TBuilder builder,
        string[]? queryTokenPaths = null, string[]? socketPaths = null)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<JwtOptions>(JwtOptions.Section);

        builder.Services.AddSingleton<TokenRevocations>();
        builder.Services.AddSingleton<RevocationCheck>();
        builder.Services.AddSingleton<SocketAccessTokens>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwtOptions) =>
            {
                var jwt = jwtOptions.Value;
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = CreateValidationParameters(jwt);
                bearer.Events = new JwtBearerEvents
                {
                    OnMessageReceived = context =>
                    {
                        var path = context.HttpContext.Request.Path;
                        if (socketPaths?.Any(p => path.Equals(p, StringComparison.OrdinalIgnoreCase)) == true)
                        {
                            context.NoResult();
                        }
                        else if (queryTokenPaths?.Any(p => path.StartsWithSegments(p)) == true
                            && context.Request.Query.TryGetValue("access_token", out var token))
                        {
                            context.Token = token;
                        }
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = RefuseRevokedAsync,
                };
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    private static async Task RefuseRevokedAsync(TokenValidatedContext context)
    {
        if (context.Principal?.FindFirst(NeoliaClaims.UserId)?.Value is not { } sub || !Guid.TryParse(sub, out var userId))
        {
            context.Fail("The access token has no user id.");
            return;
        }
        var services = context.HttpContext.RequestServices;
        var refusal = await RevocationRefusalAsync(services.GetRequiredService<RevocationCheck>(), userId,
            context.Principal.GetIssuedAtMilliseconds(), services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuthenticationExtensions)));
        if (refusal is not null) context.Fail(refusal);
    }

    /// <summary>
    /// Why a valid token of <paramref name="userId"/> issued at <paramref name="issuedAtMs"/> must still be refused
    /// (revoked, or revocations unknown to Redis and to the fallback: fail closed), or null. The one rule for the bearer
    /// scheme and for sockets.
    /// </summary>
    internal static async Task<string?> RevocationRefusalAsync(RevocationCheck revocations, Guid userId, long issuedAtMs, ILogger logger)
    {
        try
        {
            return await revocations.IsRevokedAsync(userId, issuedAtMs) ? "The user's access tokens were revoked." : null;
        }
        catch (RevocationsUnknownException e)
        {
            logger.LogWarning("Token revocation could not be checked ({Message}); the token is refused", e.InnerException?.Message ?? e.Message);
            return "Token revocation could not be checked.";
        }
    }

    public static TokenValidationParameters CreateValidationParameters(JwtOptions jwt) => new()
    {
        ValidIssuer = jwt.Issuer,
        ValidAudience = jwt.Audience,
        IssuerSigningKey = CreateSigningKey(jwt),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = NeoliaClaims.Name,
        RoleClaimType = NeoliaClaims.Role,
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    public static SymmetricSecurityKey CreateSigningKey(JwtOptions jwt) => new(Encoding.UTF8.GetBytes(jwt.SigningKey));
}
