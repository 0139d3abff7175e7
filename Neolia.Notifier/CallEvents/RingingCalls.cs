using System.Text.Json;
using Neolia.Contracts;
using Neolia.ServiceDefaults.Authentication;
using StackExchange.Redis;

namespace Neolia.Notifier.CallEvents;

/// <summary>The calls still ringing for a resident (kept by CallApi in Redis), replayed to a socket that (re)connects.</summary>
public sealed class RingingCalls(IConnectionMultiplexer redis, TimeProvider time, ILogger<RingingCalls> logger)
{
    /// <summary>
    /// The <paramref name="limit"/> newest calls still ringing for the user, newest first; null when Redis cannot tell
    /// yet: it does not answer, or it restarted and CallApi has not copied the ringing calls back from PostgreSQL (the
    /// mark <see cref="TokenRevocations.CompleteKey"/>, set after that copy, is missing). The caller asks again later.
    /// </summary>
    public async Task<IReadOnlyList<(Guid CallId, byte[] Message)>?> ForUserAsync(Guid userId, int limit)
    {
        // Not connected: a command would wait in the client's backlog for its whole timeout; ask again later instead.
        if (!redis.IsConnected) return null;
        HashEntry[] entries;
        try
        {
            var db = redis.GetDatabase();
            // Both in one round trip; the mark says the hash is whole again after a restart.
            var complete = db.KeyExistsAsync(TokenRevocations.CompleteKey);
            var hash = db.HashGetAllAsync(CallEventStream.RingingKey(userId));
            await Task.WhenAll(complete, hash);
            if (!complete.Result) return null;
            entries = hash.Result;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogDebug("Could not read the ringing calls of user {UserId} for replay ({Message})", userId, e.Message);
            return null;
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
