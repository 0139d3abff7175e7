namespace Neolia.CallApi.Media;

public static class MediaFeature
{
    /// <summary>Door video (the relays' API, LiveKit ingresses) and the visitor's snapshot.</summary>
    public static IHostApplicationBuilder AddMedia(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MediaOptions>(MediaOptions.Section);
        builder.Services.AddScoped<CallMediaService>();
        builder.Services.AddSingleton<CallEventSignal>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CallEventSignal>());
        builder.Services.AddHostedService<SnapshotRetentionSweeper>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder app)
    {
        app.MapMediaRelayEndpoints();
        app.MapCallSnapshots();
        app.MapSiteRelayAdministration();
        return app;
    }
}
