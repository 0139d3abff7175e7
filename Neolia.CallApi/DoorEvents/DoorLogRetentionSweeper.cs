using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.DoorEvents;

/// <summary>Deletes door events older than <see cref="DoorLogOptions.RetentionDays"/>, pictures included; every replica may run it (an idempotent DELETE).</summary>
public sealed class DoorLogRetentionSweeper(IDbContextFactory<NeoliaDb> contexts, IOptions<DoorLogOptions> options, TimeProvider time,
    ILogger<DoorLogRetentionSweeper> logger) : BackgroundService
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
                var before = time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
                var removed = await db.Set<DoorEvent>().Where(e => e.OccurredAt < before).ExecuteDeleteAsync(stoppingToken);
                if (removed > 0) logger.LogInformation("{Count} door event(s) past retention removed", removed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Door log retention sweep failed ({Message}); next in {Interval}", e.Message, Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
