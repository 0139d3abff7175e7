using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.CallControl;
using Neolia.CallApi.Data;
using Npgsql;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// Brings Asterisk back to the primary after it fell back to a read replica. Asterisk's realtime connection lists the
/// primary, then read replicas (res_pgsql.conf, NEOLIA_REALTIME_HOSTS): with the primary down it reads from a
/// replica, so doors still ring, but it stays there once the primary is back, where it cannot write registrations.
/// Every <see cref="AsteriskDatabaseOptions.PrimaryCheckInterval"/> CallApi counts the sessions of Asterisk's role
/// on its own database, the primary; when there are fewer than Asterisks connected over ARI, it asks each of them to
/// reload res_config_pgsql (<c>PUT /asterisk/modules/res_config_pgsql.so</c>), which reconnects to the first host
/// that answers: res_pgsql.conf has an #exec, so Asterisk always reads it again and reconnects.
/// </summary>
internal sealed class RealtimeOnPrimary(AsteriskServers asterisks, IServiceScopeFactory scopes, IOptions<AsteriskDatabaseOptions> options,
    TimeProvider time, ILogger<RealtimeOnPrimary> logger) : BackgroundService
{
    public const string Module = "res_config_pgsql.so";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _toldAt = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Password is null) return; // no role for Asterisk: no Asterisk reads this database
        using var timer = new PeriodicTimer(settings.PrimaryCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync(settings, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug("Could not count Asterisk's sessions on the primary: {Error}", e.Message); // the database is down: the next check
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A check that fails unexpectedly must not stop CallApi (a background service's exception stops the host).
                logger.LogWarning(e, "Checking that Asterisk reads from the primary failed");
            }
        }
    }

    private async Task CheckAsync(AsteriskDatabaseOptions settings, CancellationToken ct)
    {
        var connected = asterisks.All.Where(a => a.Connected).ToList();
        if (connected.Count == 0) return;
        var sessions = await SessionsOfAsync(settings.Role, ct);
        if (sessions >= connected.Count) return;

        var now = time.GetUtcNow();
        foreach (var asterisk in connected)
        {
            if (_toldAt.TryGetValue(asterisk.Name, out var told) && now - told < settings.PrimaryCheckInterval * 4) continue;
            _toldAt[asterisk.Name] = now;
            logger.LogWarning(
                "{Sessions} session(s) of role {Role} on the primary for {Connected} connected Asterisk(s): Asterisk {Asterisk} is told to reconnect its realtime database ({Module} reloaded)",
                sessions, settings.Role, connected.Count, asterisk.Name, Module);
            await asterisk.TryAsync(ari => ari.ReloadModuleAsync(Module, ct), $"reload {Module}");
        }
    }

    private async Task<long> SessionsOfAsync(string role, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        // usename and datname are visible for every session, also to a role that is not a superuser.
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE usename = @role AND datname = current_database()", connection);
        command.Parameters.AddWithValue("role", role);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
