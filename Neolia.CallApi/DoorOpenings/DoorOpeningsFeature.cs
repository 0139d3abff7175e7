using Neolia.CallApi.DoorEvents;

namespace Neolia.CallApi.DoorOpenings;

public static class DoorOpeningsFeature
{
    /// <summary>The door outside a call: the door log (every call, opening and door report) and opening from the app (over SIP or a site box).</summary>
    public static IHostApplicationBuilder AddDoorOpenings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DoorLogOptions>(DoorLogOptions.Section);
        builder.Services.AddValidatedOptions<DoorOpeningOptions>(DoorOpeningOptions.Section);
        builder.Services.AddSingleton<DoorLog>();
        builder.Services.AddSingleton<SiteBoxOpenings>();
        builder.Services.AddScoped<DoorOpener>();
        builder.Services.AddHostedService<DoorLogRetentionSweeper>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDoorOpenings(this IEndpointRouteBuilder app)
    {
        app.MapDoorOpeningEndpoints();
        app.MapOpeningSnapshotEndpoints();
        app.MapDoorEvents();
        app.MapActionUrl();
        return app;
    }
}
