using Neolia.CallApi.Data;
using Microsoft.EntityFrameworkCore;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// Whether this replica's database answered lately: a replica that cannot record a call does not claim it, so the
/// call goes to a replica that can, or to the dialplan's fallback after the broadcast's 1 s, instead of waiting out
/// the set-up budget here. One <c>SELECT 1</c> a second, no retries, a 1 s budget.
/// </summary>
internal sealed class DatabaseProbe(IServiceScopeFactory scopes, TimeProvider time, ILogger<DatabaseProbe> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    /// <summary>Past this since the last answer, the database counts as unreachable (two probes missed or slow).</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2.5);

    private long _lastAnswerTicks;

    public bool Reachable => time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastAnswerTicks) < Freshness.Ticks;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wasReachable = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var budget = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                budget.CancelAfter(Interval);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
                db.FailFast = true;
                await db.Database.ExecuteSqlRawAsync("SELECT 1", budget.Token);
                Interlocked.Exchange(ref _lastAnswerTicks, time.GetUtcNow().UtcTicks);
                if (!wasReachable) logger.LogInformation("The database answers again: this replica claims door calls");
                wasReachable = true;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (wasReachable) logger.LogWarning("The database does not answer ({Error}): this replica claims no door call until it does", e.Message);
                wasReachable = false;
            }
            try { await Task.Delay(Interval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }
}
