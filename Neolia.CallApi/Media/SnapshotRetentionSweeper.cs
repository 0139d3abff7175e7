using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.Media;

/// <summary>Removes snapshots older than <see cref="MediaOptions.SnapshotRetentionDays"/> (the calls stay in the history); every replica may run it.</summary>
public sealed class SnapshotRetentionSweeper(IDbContextFactory<NeoliaDb> contexts, IOptions<MediaOptions> options, TimeProvider time,
    ILogger<SnapshotRetentionSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(stoppingToken);
                db.TenantScope = TenantScope.All;
                var before = time.GetUtcNow() - TimeSpan.FromDays(options.Value.SnapshotRetentionDays);
                var removed = await db.Set<CallMedia>().Where(m => m.Snapshot != null && m.SnapshotTakenAt < before)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Snapshot, (byte[]?)null), stoppingToken);
                if (removed > 0) logger.LogInformation("{Count} snapshot(s) past retention removed", removed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Snapshot retention sweep failed ({Message}); next in {Interval}", e.Message, Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
