using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.CallApi.Calls;

/// <summary>
/// Drains the outbox (<see cref="PendingCallEvent"/>): deletes the rows whose event reached Redis at once, and sends
/// the others, oldest first, as soon as Redis answers. A ring whose call no longer rings is dropped, not sent late.
/// Replicas take rows with <c>FOR UPDATE SKIP LOCKED</c>, so each row is sent by one of them.
/// </summary>
public sealed class PendingCallEventPublisher(
    IConnectionMultiplexer redis,
    IDbContextFactory<NeoliaDb> databases,
    CallEventPublisher events,
    TimeProvider time,
    ILogger<PendingCallEventPublisher> logger) : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Rows younger than this may still be on their way through the fast path (1 s budget): left alone.</summary>
    private static readonly TimeSpan FastPathGrace = TimeSpan.FromSeconds(3);

    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await DeleteDeliveredAsync(stoppingToken);
                if (redis.IsConnected) await SendPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Could not drain pending call events ({Message}); retrying in {Interval}", e.Message, Interval);
            }
        }
    }

    private readonly List<long> _delivered = [];

    private async Task DeleteDeliveredAsync(CancellationToken ct)
    {
        while (_delivered.Count < 1000 && events.Delivered.TryRead(out var id)) _delivered.Add(id);
        if (_delivered.Count == 0) return;
        await using var db = await databases.CreateDbContextAsync(ct);
        await db.PendingCallEvents.Where(p => _delivered.Contains(p.Id)).ExecuteDeleteAsync(ct);
        _delivered.Clear(); // kept on failure: deleted at the next tick
    }

    private async Task SendPendingAsync(CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        var olderThan = now - FastPathGrace;
        if (!await db.PendingCallEvents.AnyAsync(p => p.CreatedAt < olderThan, ct)) return;

        // A retry of the whole unit (the database failed mid-way) may send an event twice: the Notifier rings each
        // socket once per call, and a second push for a call still ringing is the only cost.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var pending = await db.PendingCallEvents
                .FromSql($"""SELECT * FROM "PendingCallEvents" WHERE "CreatedAt" < {olderThan} ORDER BY "Id" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED""")
                .AsNoTracking().ToListAsync(ct);
            var callIds = pending.Select(p => p.CallId).Distinct().ToList();
            var stillRinging = (await db.Calls.Where(c => callIds.Contains(c.Id) && c.Status == CallStatuses.Ringing && c.ExpiresAt > now)
                .Select(c => c.Id).ToListAsync(ct)).ToHashSet();

            var done = new List<long>(pending.Count);
            var sent = 0;
            foreach (var row in pending)
            {
                var callEvent = JsonSerializer.Deserialize(row.Payload, ContractsJson.Default.CallEvent);
                var stale = callEvent is null || callEvent.Type == CallEventTypes.Ringing && !stillRinging.Contains(row.CallId);
                if (!stale)
                {
                    if (!await events.TryPublishAsync(callEvent!)) break; // Redis went away again: the rest waits
                    sent++;
                }
                done.Add(row.Id);
            }
            await db.PendingCallEvents.Where(p => done.Contains(p.Id)).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
            if (done.Count > 0) logger.LogInformation("Sent {Sent} call event(s) kept while Redis was unavailable; dropped {Stale} stale ring(s)", sent, done.Count - sent);
        });
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
