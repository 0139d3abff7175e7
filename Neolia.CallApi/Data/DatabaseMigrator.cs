using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Seed;
using Npgsql;

namespace Neolia.CallApi.Data;

/// <summary>
/// Brings the schema up to date, then applies the development seed when configured. A hosted service runs after
/// the options are validated and before the server takes traffic, so a bad setting stops the service before any
/// database work, and no request meets an old schema. Replicas starting together (<c>Neolia:CallApiReplicas</c>)
/// migrate and seed one after the other, under a PostgreSQL advisory lock held on a connection of its own: the seed
/// checks, then inserts, which two replicas at once would both do.
/// </summary>
internal sealed class DatabaseMigrator(IServiceProvider services, IConfiguration configuration) : IHostedService
{
    /// <summary>The advisory lock's key (any constant the platform uses for nothing else).</summary>
    private const long StartLockKey = 0x4E454F4C4941; // "NEOLIA"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var lockString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("neolia")) { Pooling = false }.ConnectionString;
        await using var lockConnection = new NpgsqlConnection(lockString);
        try
        {
            await lockConnection.OpenAsync(cancellationToken);
            // Released when this connection closes, whatever happens below.
            await using var take = new NpgsqlCommand($"SELECT pg_advisory_lock({StartLockKey})", lockConnection);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            // No database yet (a server of the tests' own): the migration creates it, with no lock to take.
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        await db.Database.MigrateAsync(cancellationToken);
        await DevelopmentSeed.ApplyAsync(scope.ServiceProvider, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
