namespace Neolia.CallApi.Auth;

public static class AuthFeature
{
    public static IHostApplicationBuilder AddAuthTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccessTokenIssuer>();
        builder.Services.AddScoped<RefreshTokenStore>();
        return builder;
    }
}
