using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;
using Neolia.ServiceDefaults.Authentication;
using StackExchange.Redis;

namespace Neolia.CallApi.RedisRecovery;

/// <summary>
/// Redis is a cache of PostgreSQL here, never the only copy: when Redis comes back empty (a restart) or missed writes
/// (an outage), this copies back what it must hold — every token revocation still in force, then the ringing calls
/// each resident's socket replays on connect — and only then marks the revocation cache complete
/// (<see cref="TokenRevocations.CompleteKey"/>); until that mark exists, CallApi and the Notifier refuse every token.
/// Every CallApi replica runs it; the writes are idempotent and never roll a newer revocation back.
/// </summary>
public sealed class RedisCacheRefill(
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopes,
    TokenRevocations revocations,
    CallEventPublisher events,
    LiveKitTokens liveKitTokens,
    TimeProvider time,
    ILogger<RedisCacheRefill> logger) : BackgroundService
{
    /// <summary>How soon a Redis that restarted empty is refilled (tokens are refused meanwhile).</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private volatile bool _requested = true;

    /// <summary>Refill at the next tick even if the cache looks complete (a write to Redis failed).</summary>
    public void Request() => _requested = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A reconnect after a network cut: Redis kept its data but may have missed revocations written meanwhile.
        redis.ConnectionRestored += (_, _) => Request();
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            if (!redis.IsConnected) continue;
            try
            {
                if (_requested || !await revocations.IsCompleteAsync())
                {
                    _requested = false;
                    await RefillAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Request();
                logger.LogWarning("Could not refill Redis from PostgreSQL ({Message}); retrying in {Interval}", e.Message, Interval);
            }
        } while (await WaitAsync(timer, stoppingToken));
    }

    private async Task RefillAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();

        var live = await db.TokenRevocations.AsNoTracking().Where(r => r.KeepUntil > now).ToListAsync(ct);
        foreach (var r in live) await revocations.CacheAsync(r.UserId, r.RevokedBeforeMs, r.KeepUntil, now, announce: true);

        var ringing = await db.Calls.AsNoTracking()
            .Where(c => c.Status == CallStatuses.Ringing && c.ExpiresAt > now)
            .Select(c => new
            {
                c.Id, c.Room, c.Caller, c.StartedAt, c.ExpiresAt,
                Device = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.Name).First(),
                Apartment = db.Apartments.Where(a => a.Id == c.ApartmentId).Select(a => a.Number).First(),
                Residents = db.ApartmentMemberships.Where(m => m.ApartmentId == c.ApartmentId).Where(CallRecipients.IsRecipient)
                    .Select(m => m.UserId).ToList(),
            })
            .ToListAsync(ct);
        await events.RestoreRingingAsync(ringing.Select(c => (
            c.Id,
            new IncomingCallDetails(c.Room, liveKitTokens.ClientUrl, c.Caller, c.Device, c.Apartment, c.StartedAt, c.ExpiresAt),
            (IReadOnlyList<CallRecipient>)c.Residents.Select(u => new CallRecipient(u, liveKitTokens.ForResident(c.Room, u))).ToList())));

        await revocations.MarkCompleteAsync();
        logger.LogInformation("Redis refilled from PostgreSQL: {Revocations} token revocation(s), {Calls} ringing call(s)", live.Count, ringing.Count);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
