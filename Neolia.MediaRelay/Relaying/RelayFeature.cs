using Microsoft.Extensions.Options;
using Neolia.MediaRelay.Streams;
using Neolia.MediaRelay.Work;

namespace Neolia.MediaRelay.Relaying;

public static class RelayFeature
{
    /// <summary>
    /// The relay: door streams supervised as ffmpeg processes, CallApi's relay API, and where the work comes from —
    /// the call-event stream and leases in Redis (stack mode) or CallApi's long poll (site mode).
    /// </summary>
    public static IHostApplicationBuilder AddMediaRelay(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RelayOptions>(RelayOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<RelayOptions>, RelayOptionsValidator>();
        var options = builder.Configuration.GetSection(RelayOptions.Section).Get<RelayOptions>() ?? new RelayOptions();

        // A long poll outlasts the standard pipeline's attempt timeout, and each request is retried by the relay's own
        // loops: no resilience handler here, only this client's timeout.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<RelayApiClient>(http => http.Timeout = TimeSpan.FromSeconds(40)).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<ChildProcesses>();
        builder.Services.AddSingleton<StreamSupervisor>();
        builder.Services.AddHostedService<Openings.OpeningSnapshotWork>();

        if (options.IsSite)
        {
            builder.Services.AddHostedService<SiteWork>();
            builder.Services.AddSingleton<Openings.AkuvoxDoorClient>();
            builder.Services.AddHostedService<Openings.SiteOpeningWork>();
        }
        else
        {
            builder.AddRedisClient("redis");
            builder.Services.AddSingleton<CallLeases>();
            builder.Services.AddHostedService<StackWork>();
        }
        return builder;
    }
}
