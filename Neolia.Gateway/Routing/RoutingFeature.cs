namespace Neolia.Gateway.Routing;

public static class RoutingFeature
{
    /// <summary>YARP with routes and clusters from the <c>ReverseProxy</c> section, destinations from service discovery.</summary>
    public static IHostApplicationBuilder AddGatewayRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }
}
