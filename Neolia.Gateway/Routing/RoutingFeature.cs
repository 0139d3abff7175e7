using Yarp.ReverseProxy.ServiceDiscovery;

namespace Neolia.Gateway.Routing;

public static class RoutingFeature
{
    /// <summary>YARP with routes and clusters from the <c>ReverseProxy</c> section, destinations from service discovery.</summary>
    public static IHostApplicationBuilder AddGatewayRouting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        builder.Services.AddSingleton<IDestinationResolver, ServiceDiscoveryDestinationResolver>();
        return builder;
    }
}
