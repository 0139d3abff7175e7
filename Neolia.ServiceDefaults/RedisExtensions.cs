using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class RedisExtensions
{
    /// <summary>
    /// One shared <see cref="IConnectionMultiplexer"/> for the connection string the AppHost names
    /// <paramref name="connectionName"/>, with a readiness check. It keeps reconnecting on its own when
    /// Redis restarts, so the service never has to be restarted with it.
    /// </summary>
    public static TBuilder AddRedisConnection<TBuilder>(this TBuilder builder, string connectionName = "redis")
        where TBuilder : IHostApplicationBuilder
    {
        var options = ConfigurationOptions.Parse(builder.Configuration.GetRequiredConnectionString(connectionName));
        options.AbortOnConnectFail = false;
        options.ClientName ??= builder.Environment.ApplicationName;

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddHealthChecks().AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), name: "redis");
        return builder;
    }
}
