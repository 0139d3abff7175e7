using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using StackExchange.Redis;

namespace Neolia.CallApi.Data;

public static class DataProtectionExtensions
{
    public const string KeysRedisKey = "neolia:data-protection-keys";

    /// <summary>
    /// Data Protection with its key ring in Redis, so every CallApi replica (and the next deployment) decrypts what
    /// another encrypted, such as the door cameras' RTSP credentials. Needs the Redis connection registered.
    /// </summary>
    public static IHostApplicationBuilder AddNeoliaDataProtection(this IHostApplicationBuilder builder)
    {
        // One application name for every replica: it is part of the key derivation.
        builder.Services.AddDataProtection().SetApplicationName("neolia-callapi");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IConnectionMultiplexer>((options, redis) =>
            options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), KeysRedisKey));
        return builder;
    }
}
