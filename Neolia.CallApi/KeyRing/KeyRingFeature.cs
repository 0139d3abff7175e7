using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.KeyRing;

public static class KeyRingFeature
{
    /// <summary>
    /// Data Protection with its key ring in PostgreSQL (table <c>DataProtectionKeys</c>), so every CallApi replica and
    /// the next deployment decrypt what another encrypted (the door cameras' RTSP credentials), and a Redis restart
    /// loses nothing. Each key is encrypted at rest with the configured key-encryption key (<see cref="KeyRingOptions"/>).
    /// </summary>
    public static IHostApplicationBuilder AddKeyRing(this IHostApplicationBuilder builder)
    {
        var required = !builder.Environment.IsDevelopment();
        builder.Services.AddValidatedOptions<KeyRingOptions>(KeyRingOptions.Section).Configure(o => o.KeyRequired = required);
        // One application name for every replica: it is part of the key derivation.
        builder.Services.AddDataProtection().SetApplicationName("neolia-callapi").PersistKeysToDbContext<NeoliaDb>();
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IOptions<KeyRingOptions>, ILoggerFactory>((keys, ring, logs) =>
        {
            if (ring.Value.KeyBytes is { } key)
            {
                keys.XmlEncryptor = new ConfiguredKeyXmlEncryptor(key, ring.Value.KeyEncryptionKeyId);
            }
            else
            {
                logs.CreateLogger(typeof(KeyRingFeature)).LogWarning(
                    "DataProtection:KeyEncryptionKey is not set: the key ring is stored unencrypted (allowed in Development only)");
            }
        });
        return builder;
    }
}
