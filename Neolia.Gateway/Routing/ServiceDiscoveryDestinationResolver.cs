using System.Net;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Neolia.Gateway.Routing;

/// <summary>
/// Turns a destination address such as <c>http://callapi</c> into the endpoints service discovery knows for it
/// (<c>services:callapi:http:0</c>, <c>…:1</c> from the AppHost or the environment), one YARP destination each,
/// and refreshes them when discovery changes. Microsoft.Extensions.ServiceDiscovery.Yarp does this, but it is not
/// available here, so this is the same idea in a few lines.
/// </summary>
public sealed class ServiceDiscoveryDestinationResolver(ServiceEndpointResolver resolver, ILogger<ServiceDiscoveryDestinationResolver> logger)
    : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>();
        var changeTokens = new List<IChangeToken>();
        foreach (var (name, destination) in destinations)
        {
            var address = new Uri(destination.Address);
            var serviceName = $"{address.Scheme}://{address.Host}";
            var source = await resolver.GetEndpointsAsync(serviceName, cancellationToken);
            changeTokens.Add(source.ChangeToken);
            if (source.Endpoints.Count == 0)
            {
                logger.LogWarning("No endpoint is known for {Service}: requests routed to it will fail", serviceName);
                resolved[name] = destination;
                continue;
            }
            foreach (var endpoint in source.Endpoints)
            {
                var uri = ToUri(endpoint.EndPoint, address);
                resolved[$"{name}[{uri.Authority}]"] = destination with { Address = uri.ToString(), Host = destination.Host };
            }
        }
        return new ResolvedDestinationCollection(resolved, new CompositeChangeToken(changeTokens));
    }

    // Keeps the configured scheme and path; only the authority comes from discovery.
    private static Uri ToUri(EndPoint endPoint, Uri configured)
    {
        var builder = endPoint switch
        {
            UriEndPoint u => new UriBuilder(u.Uri),
            DnsEndPoint d => new UriBuilder(configured.Scheme, d.Host, d.Port),
            IPEndPoint ip => new UriBuilder(configured.Scheme, ip.Address.ToString(), ip.Port),
            _ => new UriBuilder(configured.Scheme, endPoint.ToString()),
        };
        builder.Path = configured.AbsolutePath;
        return builder.Uri;
    }
}
