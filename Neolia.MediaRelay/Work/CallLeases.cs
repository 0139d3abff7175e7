using Microsoft.Extensions.Options;
using Neolia.MediaRelay.Relaying;
using StackExchange.Redis;

namespace Neolia.MediaRelay.Work;

/// <summary>
/// Which stack replica relays which call: a Redis key per call (<c>neolia:media-relay:lease:{callId}</c>) holding the
/// replica's id, set only if absent and expiring after <see cref="RelayOptions.LeaseTime"/> unless its holder renews
/// it. A replica that dies stops renewing; the key expires and the next replica to sweep takes the call over.
/// </summary>
public sealed class CallLeases(IConnectionMultiplexer redis, IOptions<RelayOptions> options)
{
    // Renew or release only a lease this replica still holds (compare and act in one step).
    private const string RenewScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    /// <summary>This replica's id in the leases it holds.</summary>
    public string Holder { get; } = $"{Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? Environment.MachineName}/{Guid.NewGuid():N}";

    public static RedisKey KeyOf(Guid callId) => $"neolia:media-relay:lease:{callId:N}";

    public Task<bool> TryAcquireAsync(Guid callId) =>
        redis.GetDatabase().StringSetAsync(KeyOf(callId), Holder, options.Value.LeaseTime, When.NotExists);

    public async Task<bool> RenewAsync(Guid callId) =>
        (long)await redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [KeyOf(callId)],
            [Holder, (long)options.Value.LeaseTime.TotalMilliseconds]) == 1;

    public Task ReleaseAsync(Guid callId) => redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [KeyOf(callId)], [Holder]);
}
