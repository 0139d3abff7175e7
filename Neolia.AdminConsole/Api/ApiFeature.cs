using Microsoft.Extensions.Options;

namespace Neolia.AdminConsole.Api;

public static class ApiFeature
{
    /// <summary>The gateway client the console's picture pass-through uses (<see cref="ApiPictures"/>).</summary>
    public const string PicturesClient = "pictures";

    /// <summary>Typed clients of the public API (through the gateway, with service discovery and the standard resilience).</summary>
    public static IHostApplicationBuilder AddNeoliaApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ApiOptions>(ApiOptions.Section);
        builder.Services.AddHttpClient<NeoliaApi>(ConfigureGateway);
        builder.Services.AddHttpClient<SignIn.AuthApi>(ConfigureGateway);
        builder.Services.AddHttpClient(PicturesClient, ConfigureGateway);
        return builder;
    }

    private static void ConfigureGateway(IServiceProvider services, HttpClient http)
    {
        var gateway = services.GetRequiredService<IOptions<ApiOptions>>().Value.Gateway;
        http.BaseAddress = new Uri(gateway.TrimEnd('/') + "/");
    }
}
