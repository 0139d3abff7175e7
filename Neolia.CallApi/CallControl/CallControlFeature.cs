using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

public static class CallControlFeature
{
    /// <summary>
    /// ARI call control, when <c>CallControl:AriUrl</c> is set: the event stream, the controller that owns door calls,
    /// and the controller as the lifecycle's <see cref="IDoorCallControl"/>. Without it CallApi controls no call.
    /// </summary>
    public static IHostApplicationBuilder AddCallControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CallControlOptions>(CallControlOptions.Section);
        // ARI requests change a live call (originate, hang up): a retry could do it twice, and a slow answer is a
        // failure to report, not to wait out. No resilience pipeline, a short timeout.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<AriClient>(c => c.Timeout = TimeSpan.FromSeconds(5)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        if (string.IsNullOrWhiteSpace(builder.Configuration[$"{CallControlOptions.Section}:AriUrl"])) return builder;

        builder.Services.AddSingleton<DoorCallController>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IDoorCallControl>(sp => sp.GetRequiredService<DoorCallController>()));
        builder.Services.AddHostedService<AriEventStream>();
        return builder;
    }
}
