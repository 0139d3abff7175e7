namespace Neolia.CallApi.DeviceStatus;

public static class DeviceStatusFeature
{
    /// <summary>
    /// The devices' online status (from the registrations Asterisk writes to PostgreSQL and its qualify reports over
    /// ARI), the alerts when one goes offline or comes back, and their delivery to the tenants' webhooks. Runs on
    /// every replica; each change and each alert is taken by one.
    /// </summary>
    public static IHostApplicationBuilder AddDeviceStatus(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DeviceStatusOptions>(DeviceStatusOptions.Section);
        builder.Services.AddSingleton<QualifyReports>();
        builder.Services.AddSingleton<AlertWebhookSecrets>();
        builder.Services.AddSingleton<DeviceAlerts>();
        builder.Services.AddSingleton<AlertWebhookSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertWebhookSender>());
        builder.Services.AddHostedService<DevicePresenceMonitor>();
        // Our own retries with backoff, per delivery: no resilience pipeline retrying a POST underneath, and no
        // redirects (a receiver must not send the platform's requests elsewhere).
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(AlertWebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
