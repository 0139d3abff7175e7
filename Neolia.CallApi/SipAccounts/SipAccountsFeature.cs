namespace Neolia.CallApi.SipAccounts;

public static class SipAccountsFeature
{
    /// <summary>Asterisk's realtime rows for every device and resident, and Asterisk's database role. After <c>AddNeoliaData</c>.</summary>
    public static IHostApplicationBuilder AddSipAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SipRealmOptions>(SipRealmOptions.Section);
        builder.Services.AddValidatedOptions<AsteriskDatabaseOptions>(AsteriskDatabaseOptions.Section);
        builder.Services.AddSingleton<SipAccountRows>();
        builder.Services.AddSingleton<SoftphonePasswords>();
        builder.Services.AddSingleton<SoftphoneAccounts>();
        // Registered after the migrator, so it starts after the tables exist.
        builder.Services.AddHostedService<AsteriskDatabaseRole>();
        builder.Services.AddHostedService<RealtimeOnPrimary>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSipAccounts(this IEndpointRouteBuilder app) => app.MapSoftphoneAccount();
}
