using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// Before CallApi takes traffic (hosted services start before the server listens, after the migration): opens as many
/// database connections as door calls may be set up at once (up to 64) and runs the door ring's queries on each, so the first rings
/// after a deploy find the pool filled, their statements prepared on every connection, PostgreSQL's backends with
/// their catalogue caches loaded, and the code on the way JIT-compiled. Best effort: a failure only logs.
/// </summary>
internal sealed class CallSetupWarmup(IServiceScopeFactory scopes, IOptions<CallControlOptions> options, ILogger<CallSetupWarmup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.WarmUpAtStart) return;
        var watch = Stopwatch.StartNew();
        var connections = Math.Clamp(options.Value.MaxCallsInSetup, 1, 64);
        var opened = new List<AsyncServiceScope>(connections);
        try
        {
            var databases = new List<NeoliaDb>(connections);
            // All open at once: each context holds its own physical connection, so every one of them is warmed.
            for (var i = 0; i < connections; i++)
            {
                var scope = scopes.CreateAsyncScope();
                opened.Add(scope);
                var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
                await db.Database.OpenConnectionAsync(cancellationToken);
                databases.Add(db);
            }
            await Task.WhenAll(databases.Select(db => DoorCallService.WarmUpAsync(db, cancellationToken)));
            logger.LogInformation("Door call setup warmed up on {Connections} database connection(s) in {Elapsed} ms", connections, watch.ElapsedMilliseconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Door call setup warm-up failed after {Elapsed} ms: the first rings may be slow", watch.ElapsedMilliseconds);
        }
        finally
        {
            foreach (var scope in opened) await scope.DisposeAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
