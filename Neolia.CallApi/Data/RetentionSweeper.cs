using Microsoft.EntityFrameworkCore;

namespace Neolia.CallApi.Data;

/// <summary>
/// Removes what is past its retention, once an hour, on every replica (each sweep is one idempotent statement, so
/// replicas sweeping together do no harm); a failed sweep is logged and tried again at the next hour.
/// </summary>
public abstract class RetentionSweeper(IDbContextFactory<NeoliaDb> contexts, TimeProvider time, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    /// <summary>What is swept, as the log names it (e.g. "snapshot(s)").</summary>
    protected abstract string What { get; }

    /// <returns>How many rows it changed or removed.</returns>
    protected abstract Task<int> SweepAsync(NeoliaDb db, DateTimeOffset now, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(stoppingToken);
                db.TenantScope = TenantScope.All;
                var removed = await SweepAsync(db, time.GetUtcNow(), stoppingToken);
                if (removed > 0) logger.LogInformation("{Count} {What} past retention removed", removed, What);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Retention sweep of {What} failed ({Message}); next in {Interval}", What, e.Message, Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
