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
            limiter.AddPolicy(AuthRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = edge.AuthRequestsPerMinute, Window = TimeSpan.FromMinutes(1) }));
        });
        // A load balancer in front of the gateway is trusted only when configured (ForwardedHeaders:KnownProxies).
        builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        return builder;
    }
}
