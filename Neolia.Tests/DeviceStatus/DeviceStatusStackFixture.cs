using Neolia.Tests.Infrastructure;
using Npgsql;

namespace Neolia.Tests.DeviceStatus;

/// <summary>
/// A stack (on the AppHost) whose CallApi checks the devices' status four times a second, alerts without a grace,
/// keeps a quiet period of <see cref="QuietPeriod"/>, retries webhooks after 200 ms and accepts http receivers (the
/// tests' own, on loopback).
/// </summary>
public sealed class DeviceStatusStackFixture : StackFixture
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(6);
    public const int WebhookMaxAttempts = 3;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["callapi"] = new Dictionary<string, string?>
            {
                ["DeviceStatus__CheckInterval"] = "00:00:00.250",
                ["DeviceStatus__OfflineGrace"] = "00:00:00",
                ["DeviceStatus__QuietPeriod"] = QuietPeriod.ToString(),
                ["DeviceStatus__WebhookRetryDelay"] = "00:00:00.200",
                ["DeviceStatus__WebhookMaxAttempts"] = WebhookMaxAttempts.ToString(),
                ["DeviceStatus__WebhookTimeout"] = "00:00:02",
                ["DeviceStatus__AllowInsecureWebhooks"] = "true",
            },
        };

    /// <summary>A connection to the stack's database, to write registrations as Asterisk does.</summary>
    public NpgsqlConnection Database() => new(Stack.DatabaseConnectionString);
}

[CollectionDefinition(Name)]
public sealed class DeviceStatusStackCollection : ICollectionFixture<DeviceStatusStackFixture>
{
    public const string Name = "stack with fast device status checks";
}
