using Microsoft.Extensions.Options;

namespace Neolia.CallApi.LiveKit;

public static class LiveKitFeature
{
    public static IHostApplicationBuilder AddLiveKit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LiveKitOptions>(LiveKitOptions.Section);
        builder.Services.AddSingleton<LiveKitTokens>();

        // The service defaults give every client the standard resilience pipeline (4 attempts, 30 s in all). Room
        // calls are best effort (LiveKit creates rooms on join), so this client's pipeline gives up sooner;
        // CreateRoom and DeleteRoom are idempotent, so one retry is safe. Configuring the named options
        // "RoomServiceClient-standard" does not reach a handler added by ConfigureHttpClientDefaults (tested), so the
        // default handler is replaced; RemoveAllResilienceHandlers is approved API still marked experimental.
#pragma warning disable EXTEXP0001
        // Ingress calls are made by the media relay's request, not by a webhook, and are idempotent in the same way.
        static void BestEffort(IHttpClientBuilder client) => client
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(o =>
            {
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(3);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
                o.Retry.MaxRetryAttempts = 1;
                o.Retry.Delay = TimeSpan.FromMilliseconds(200);
            });
        BestEffort(builder.Services.AddHttpClient<RoomServiceClient>());
        BestEffort(builder.Services.AddHttpClient<IngressClient>());
        // SIP calls are not idempotent (a retried CreateSIPParticipant would dial twice): no retry, a bounded wait.
        builder.Services.AddHttpClient<SipClient>()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(o =>
            {
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
                o.AttemptTimeout.Timeout = TimeSpan.FromSeconds(8);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
                o.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
            });
#pragma warning restore EXTEXP0001

        builder.Services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<LiveKitOptions>>().Value;
            return new WebhookReceiver(o.ApiKey, o.ApiSecret, sp.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddScoped<LiveKitEventHandler>();
        return builder;
    }
}
