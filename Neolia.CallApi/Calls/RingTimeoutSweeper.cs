namespace Neolia.CallApi.Calls;

/// <summary>
/// Closes calls that rang out as <c>missed</c> and tells the sockets. The call control normally ends the ring itself at
/// the expiry; this covers a call nobody ends (an administrator's test call, a call control that went away). Every
/// CallApi replica runs it; the conditional update in <see cref="CallLifecycle"/> lets exactly one close each call.
/// </summary>
public sealed class RingTimeoutSweeper(IServiceScopeFactory scopes, TimeProvider time, ILogger<RingTimeoutSweeper> logger) : BackgroundService
{
    /// <summary>
    /// A missed call reaches the apps at most this long (plus the sweep itself) after its ring timeout and the grace of
    /// <see cref="CallLifecycle.DialplanTimeoutGrace"/>. A sweep with nothing to close is one indexed UPDATE that
    /// matches no row.
    /// </summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<Data.NeoliaDb>();
                db.TenantScope = Data.TenantScope.All;
                await scope.ServiceProvider.GetRequiredService<RungOutCalls>().CloseRungOutCallsAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be restarting: the next tick tries again; a call is closed late, never twice.
                logger.LogWarning(e, "Could not close rung-out calls; retrying in {Interval}", Interval);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }
}
