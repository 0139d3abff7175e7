using Microsoft.Extensions.Diagnostics.HealthChecks;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.RedisRecovery;

public static class RedisRecoveryFeature
{
    /// <summary>
    /// Refills Redis from PostgreSQL after a restart or an outage (<see cref="RedisCacheRefill"/>), and reports
    /// not-ready until the token revocation cache is complete.
    /// </summary>
    public static IHostApplicationBuilder AddRedisRecovery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RedisCacheRefill>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RedisCacheRefill>());
        builder.Services.AddHealthChecks().AddCheck<RevocationCacheHealthCheck>("token-revocations");
        return builder;
    }
}

internal sealed class RevocationCacheHealthCheck(TokenRevocations revocations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await revocations.IsCompleteAsync()
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Redis holds no complete copy of the token revocations yet.");
}
