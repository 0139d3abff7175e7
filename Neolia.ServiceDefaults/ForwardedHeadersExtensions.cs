using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Microsoft.Extensions.Hosting;

public static class ForwardedHeadersExtensions
{
    /// <summary>
    /// Takes the client's scheme, host and address from the gateway's X-Forwarded-* headers, so links the service
    /// builds (the OpenAPI document's server, redirects) name the public address and logs the real client.
    /// The services behind the gateway are reachable only on the private network, hence any sender is trusted.
    /// </summary>
    public static WebApplication UseGatewayForwardedHeaders(this WebApplication app)
    {
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        app.UseForwardedHeaders(options);
        return app;
    }
}
