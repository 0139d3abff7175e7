namespace Neolia.CallApi.LiveKit;

public static class LiveKitFeature
{
    public static IHostApplicationBuilder AddLiveKit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LiveKitOptions>(LiveKitOptions.Section);
        builder.Services.AddSingleton<LiveKitTokens>();
        return builder;
    }
}
