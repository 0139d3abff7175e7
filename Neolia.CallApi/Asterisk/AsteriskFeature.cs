namespace Neolia.CallApi.Asterisk;

public static class AsteriskFeature
{
    public static IHostApplicationBuilder AddAsteriskWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AsteriskOptions>(AsteriskOptions.Section);
        builder.Services.AddSingleton<WebhookSecretFilter>();
        builder.Services.AddSingleton<WebhookAdmission>();
        builder.Services.AddSingleton<WebhookDatabaseGuard>();
        builder.Services.AddHostedService<WebhookWarmup>();
        return builder;
    }
}
