using System.Text.Json;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.Notifier.CallEvents;

/// <summary>The calls still ringing for a resident (kept by CallApi in Redis), replayed to a socket that (re)connects.</summary>
public sealed class RingingCalls(IConnectionMultiplexer redis, TimeProvider time, ILogger<RingingCalls> logger)
{
    public async Task<IReadOnlyList<(Guid CallId, byte[] Message)>> ForUserAsync(Guid userId)
    {
        HashEntry[] entries;
        try
        {
            entries = await redis.GetDatabase().HashGetAllAsync(CallEventStream.RingingKey(userId));
        }
        catch (RedisException e)
        {
            // The socket still gets live calls once Redis is back; only the replay is lost.
            logger.LogWarning(e, "Could not read the ringing calls of user {UserId} for replay", userId);
            return [];
        }

        var now = time.GetUtcNow();
        var replay = new List<(Guid, byte[])>(entries.Length);
        foreach (var entry in entries)
        {
            var call = JsonSerializer.Deserialize((byte[])entry.Value!, ContractsJson.Default.IncomingCall);
            if (call is null || call.ExpiresAt <= now) continue;
            replay.Add((call.Id, JsonSerializer.SerializeToUtf8Bytes(new IncomingCallMessage(call), ContractsJson.Default.IncomingCallMessage)));
        }
        return replay;
    }
}
