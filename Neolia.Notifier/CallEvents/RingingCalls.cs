using System.Text.Json;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.Notifier.CallEvents;

/// <summary>The calls still ringing for a resident (kept by CallApi in Redis), replayed to a socket that (re)connects.</summary>
public sealed class RingingCalls(IConnectionMultiplexer redis, TimeProvider time, ILogger<RingingCalls> logger)
{
    /// <summary>The <paramref name="limit"/> newest calls still ringing for the user, newest first.</summary>
    public async Task<IReadOnlyList<(Guid CallId, byte[] Message)>> ForUserAsync(Guid userId, int limit)
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
        var ringing = new List<IncomingCall>(entries.Length);
        foreach (var entry in entries)
        {
            IncomingCall? call;
            try { call = JsonSerializer.Deserialize((byte[])entry.Value!, ContractsJson.Default.IncomingCall); }
            catch (JsonException) { continue; } // never let one bad entry keep a resident from connecting
            if (call is null || call.ExpiresAt <= now) continue;
            ringing.Add(call);
        }
        if (ringing.Count > limit) logger.LogWarning("User {UserId} has {Count} calls ringing; only the {Limit} newest are replayed", userId, ringing.Count, limit);
        return ringing.OrderByDescending(c => c.CreatedAt).Take(limit)
            .Select(c => (c.Id, JsonSerializer.SerializeToUtf8Bytes(new IncomingCallMessage(c), ContractsJson.Default.IncomingCallMessage)))
            .ToList();
    }
}
