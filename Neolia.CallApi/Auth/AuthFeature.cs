using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Auth;

public static class AuthFeature
{
    public static IHostApplicationBuilder AddAuthTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccessTokenIssuer>();
        builder.Services.AddValidatedOptions<SignInThrottleOptions>(SignInThrottleOptions.Section);
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddScoped<RefreshTokenStore>();
        builder.Services.AddScoped<Users.AccountRevocation>();
        // While Redis cannot answer, revocations are read from PostgreSQL (RevocationCheck).
        builder.Services.AddSingleton<IRevocationFallback, Users.PostgresRevocations>();
        return builder;
    }
}
