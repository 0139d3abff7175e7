using Microsoft.FluentUI.AspNetCore.Components;

namespace Neolia.AdminConsole.Components;

public static class ConsoleUi
{
    /// <summary>Where the gateway serves the console (its route <c>/admin/{**rest}</c> keeps the prefix).</summary>
    public const string PathBase = "/admin";

    /// <summary>Blazor with interactive server rendering (the pages talk to the API from the server) and Fluent UI.</summary>
    public static IHostApplicationBuilder AddConsoleUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddFluentUIComponents();
        return builder;
    }

    public static WebApplication MapConsoleUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
