using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Seed;

namespace Neolia.CallApi.Data;

/// <summary>
/// Brings the schema up to date, then applies the development seed when configured. A hosted service runs after
/// the options are validated and before the server takes traffic, so a bad setting stops the service before any
/// database work, and no request meets an old schema. EF Core serialises concurrent replicas with a lock.
/// </summary>
internal sealed class DatabaseMigrator(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        await db.Database.MigrateAsync(cancellationToken);
        await DevelopmentSeed.ApplyAsync(scope.ServiceProvider, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
