using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Npgsql;

namespace Neolia.CallApi.CallControl;

/// <summary>A decision of the API for the replica that controls the call (its timers, its legs, LiveKit's invitation).</summary>
internal sealed record DoorCallCommand(string Kind, Guid CallId, string? Status)
{
    public const string AppAnsweredKind = "answered";
    public const string ClosedKind = "closed";

    public static DoorCallCommand AppAnswered(Guid callId) => new(AppAnsweredKind, callId, null);
    public static DoorCallCommand Closed(Guid callId, string status) => new(ClosedKind, callId, status);

    public string Payload => Status is null ? $"{Kind}:{CallId:N}" : $"{Kind}:{CallId:N}:{Status}";

    public static DoorCallCommand? Parse(string payload) =>
        payload.Split(':') is [var kind, var id, .. var rest] && Guid.TryParseExact(id, "N", out var callId) && kind is AppAnsweredKind or ClosedKind
            ? new(kind, callId, rest is [var status] ? status : null)
            : null;
}

/// <summary>
/// Hands a decision the API took on this replica to the replica that controls the call (any replica may receive an
/// app's answer, a decline, a room's end): PostgreSQL's NOTIFY on <see cref="Channel"/>, which every replica LISTENs
/// to (<see cref="DoorCallCommandListener"/>); only the one whose registry holds the call acts. The database is the
/// one every such decision was just committed to, so the hand-over works whenever the decision could be recorded
/// (Redis down included). A notification sent while the owner's listening connection is down is lost: its call then
/// rings out at its expiry (the status the API recorded stands).
/// </summary>
internal sealed class DoorCallCommands(IServiceScopeFactory scopes, ILogger<DoorCallCommands> logger)
{
    public const string Channel = "neolia_door_call_commands";

    public void HandToOwner(DoorCallCommand command) => _ = SendAsync(command);

    private async Task SendAsync(DoorCallCommand command)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
            await db.Database.ExecuteSqlAsync($"SELECT pg_notify({Channel}, {command.Payload})");
        }
        catch (Exception e)
        {
            logger.LogWarning("Could not hand {Command} of call {CallId} to the replica that controls it: {Error}", command.Kind, command.CallId, e.Message);
        }
    }
}

/// <summary>
/// Every replica LISTENs to <see cref="DoorCallCommands.Channel"/> on a connection of its own (kept alive, opened again
/// a second after a loss) and gives each command to its router, which acts only on a call it controls.
/// </summary>
internal sealed class DoorCallCommandListener(IConfiguration configuration, DoorCallRouter router, ILogger<DoorCallCommandListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not from the pool: a LISTEN belongs to its connection, which waits here for good. Keep-alive finds a dead server.
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString("neolia")) { Pooling = false, KeepAlive = 5 }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, n) =>
                {
                    if (DoorCallCommand.Parse(n.Payload) is { } command) router.OnCommand(command);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {DoorCallCommands.Channel}", connection)) await listen.ExecuteNonQueryAsync(stoppingToken);
                logger.LogDebug("Listening for door call commands of other replicas");
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Door call commands of other replicas unavailable ({Error}); listening again in 1 s", e.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
