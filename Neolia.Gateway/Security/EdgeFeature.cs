using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Neolia.Gateway.Security;

/// <summary>The protections of the single public entry: CORS, rate limits, body size, forwarded headers.</summary>
public static class EdgeFeature
{
    public const string CorsPolicy = "app";
    public const string AuthRateLimit = "auth";

    public static IHostApplicationBuilder AddEdgeProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EdgeOptions>(EdgeOptions.Section);
        var edge = builder.Configuration.GetSection(EdgeOptions.Section).Get<EdgeOptions>() ?? new EdgeOptions();

        builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = edge.MaxRequestBodyBytes);
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(edge.CorsOrigins).AllowAnyHeader().AllowAnyMethod()));
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // The client address is the TCP peer, or what a configured proxy (Edge:TrustedProxies) says it is: a client
            // cannot choose its own partition by sending X-Forwarded-For.
            limiter.AddPolicy(AuthRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = edge.AuthRequestsPerMinute, Window = TimeSpan.FromMinutes(1) }));
            limiter.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 60;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = $"Try again in {seconds} s." },
                });
            };
        });
        // Forwarded headers are believed only from the proxies named in Edge:TrustedProxies (a load balancer in front of
        // the gateway); by default none, not even loopback, so a client cannot claim another address.
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Empty lists would mean "trust every sender" to the middleware: with no proxy configured, read no header.
            o.ForwardedHeaders = edge.TrustedProxies.Length == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in edge.TrustedProxies)
            {
                if (proxy.Contains('/')) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                else o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }
        });
        return builder;
    }
}
