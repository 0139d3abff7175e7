using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Neolia.AppHost.LocalInfrastructure;

/// <summary>The machine's <c>redis-server</c>, run by DCP as an executable, with a password, nothing persisted.</summary>
public sealed class LocalRedisResource(string name, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, "sh", workingDirectory), IResourceWithConnectionString
{
    public ParameterResource PasswordParameter { get; } = password;
    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    // The shape Aspire's RedisResource gives (host:port,password=…).
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={PasswordParameter}");
}

public static class LocalRedisBuilderExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource> password)
    {
        var executable = new[] { builder.Configuration["Neolia:Local:RedisServer"], "/usr/bin/redis-server", "/usr/local/bin/redis-server" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
            ?? throw new InvalidOperationException("redis-server is not installed: run scripts/install-prerequisites.sh, or set Neolia:Local:RedisServer.");
        var port = builder.Configuration.GetValue("Neolia:Local:RedisPort", 0) is > 0 and var configured ? configured : FreePort.Next();
        var redis = new LocalRedisResource(name, builder.AppHostDirectory, password.Resource);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(_ => connectionString ?? throw new InvalidOperationException("Redis's connection string is not known yet."), name: healthCheck);

        // The password reaches redis-server through the environment (masked in the dashboard), not the command line;
        // exec, so DCP's stop signal reaches Redis itself.
        return builder.AddResource(redis)
            .WithArgs("-c", $"exec '{executable}' --bind 127.0.0.1 --port {port} --save '' --appendonly no --maxclients 20000 --requirepass \"$REDIS_PASSWORD\"")
            .WithEnvironment("REDIS_PASSWORD", password)
            .WithEndpoint(port: port, targetPort: port, name: "tcp", scheme: "tcp", isProxied: false)
            .WithIconName("Memory")
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }
}
