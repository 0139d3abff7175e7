namespace Neolia.CallApi.PushRegistrations;

public static class PushRegistrationsFeature
{
    public static IHostApplicationBuilder AddPushRegistrations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PushTargetLookup>();
        builder.Services.AddHostedService<PushFeedbackConsumer>();
        return builder;
    }
}
