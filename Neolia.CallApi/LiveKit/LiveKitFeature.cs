using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.LiveKit;

public static class LiveKitFeature
{
    public static IHostApplicationBuilder AddLiveKit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LiveKitOptions>(LiveKitOptions.Section);
        builder.Services.AddSingleton<LiveKitTokens>();

        builder.Services.AddHttpClient<RoomServiceClient>();
        // The service defaults give every client the standard resilience pipeline (3 attempts, 30 s in all). Room
        // calls are best effort (LiveKit creates rooms on join), so they give up sooner; Create/Delete are idempotent,
        // so one retry is safe.
        builder.Services.Configure<HttpStandardResilienceOptions>($"{nameof(RoomServiceClient)}-standard", o =>
        {
            o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
            o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(3);
            o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
            o.Retry.MaxRetryAttempts = 1;
            o.Retry.Delay = TimeSpan.FromMilliseconds(500);
        });

        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LiveKitOptions>>().Value;
            return new WebhookReceiver(o.ApiKey, o.ApiSecret, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddScoped<LiveKitEventHandler>();
        return builder;
    }
}
