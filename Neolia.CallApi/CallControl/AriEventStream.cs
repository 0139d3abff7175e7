using Microsoft.EntityFrameworkCore;
using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// This replica's ARI event WebSocket to each Asterisk (<c>/ari/events?app=neolia-&lt;replica id&gt;</c>): while one is
/// open, that Asterisk offers door calls to this replica; when it drops (Asterisk restarting, the network), the other
/// replicas take the calls there, or the dialplan's fallback does, so it is reopened every
/// <see cref="CallControlOptions.ReconnectDelay"/> (at most 1 s: call control is back within a second of Asterisk's
/// start). Before each connection the Asterisk's system name is checked against its configured name: with several
/// Asterisks, channel ids are unique and registrations attributable only when each has its own. Credentials go in the
/// Authorization header, never in the URL that is logged.
/// </summary>
internal sealed class AriEventStream(IOptions<CallControlOptions> options, AsteriskServers asterisks, DoorCallRouter router, IServiceScopeFactory scopes,
    ILogger<AriEventStream> logger) : BackgroundService
{
    /// <summary>After another connection took this replica's application over, or the Asterisk's name was wrong: stand back this long.</summary>
    private static readonly TimeSpan ReplacedDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(asterisks.All.Select(a => Task.Run(() => RunAsync(a, stoppingToken), CancellationToken.None)));

    private async Task RunAsync(AsteriskServer asterisk, CancellationToken stoppingToken)
    {
        var o = options.Value;
        var url = EventsUrl(asterisk.Options, o.Application);
        var delay = Min(o.ReconnectDelay, MaxDelay);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var standBack = false;
            try
            {
                if (await WrongNameAsync(asterisk, stoppingToken) is { } wrong)
                {
                    logger.LogError("Asterisk {Asterisk} at {Url} is not usable: {Reason}. No door call is taken there until it is fixed.", asterisk.Name, url, wrong);
                    standBack = true;
                }
                else
                {
                    using var socket = new ClientWebSocket();
                    socket.Options.SetRequestHeader("Authorization", AriClient.BasicAuthorization(asterisk.Options).ToString());
                    socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
                    using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                    {
                        connect.CancelAfter(TimeSpan.FromSeconds(10));
                        await socket.ConnectAsync(url, connect.Token);
                    }
                    logger.LogInformation("ARI event stream connected to Asterisk {Asterisk} at {Url} as {User}: this replica takes door calls there as application {Application}",
                        asterisk.Name, url, asterisk.Options.AriUsername, o.Application);
                    failures = 0;
                    using var connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    _ = SubscribeToEndpointsAsync(asterisk, o, connection.Token);
                    await router.ConnectedAsync(asterisk, stoppingToken);
                    standBack = await ReadAsync(asterisk, socket, stoppingToken);
                    connection.Cancel();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Once per outage, and every minute of a long one: the retry runs every second.
                if (failures++ % 60 == 0) logger.LogWarning("ARI event stream to Asterisk {Asterisk} at {Url} unavailable ({Error}); retrying every {Delay}", asterisk.Name, url, e.Message, delay);
            }
            finally
            {
                router.Disconnected(asterisk);
            }
            var wait = standBack ? ReplacedDelay : delay;
            try { await Task.Delay(wait, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// Why the Asterisk must not be used, or null: its system name is another than configured (the wrong server, or a
    /// name not set in asterisk.conf), or it has none while several Asterisks are configured (their channel ids could
    /// collide). One Asterisk with no system name is fine.
    /// </summary>
    private async Task<string?> WrongNameAsync(AsteriskServer asterisk, CancellationToken ct)
    {
        var systemName = await asterisk.Client.SystemNameAsync(ct);
        if (systemName.Length == 0)
            return asterisks.All.Count > 1 ? $"it has no systemname (asterisk.conf) and {asterisks.All.Count} Asterisks are configured: set systemname = {asterisk.Name}" : null;
        return string.Equals(systemName, asterisk.Name, StringComparison.OrdinalIgnoreCase) ? null
            : $"its systemname is '{systemName}', configured as '{asterisk.Name}' (CallControl:Asterisks)";
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <returns>True when Asterisk said another connection took the application over.</returns>
    private async Task<bool> ReadAsync(AsteriskServer asterisk, ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (socket.State == WebSocketState.Open)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.GetMemory(8 * 1024), ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    logger.LogWarning("Asterisk {Asterisk} closed the event stream ({Status})", asterisk.Name, socket.CloseStatusDescription ?? socket.CloseStatus?.ToString());
                    return false;
                }
                buffer.Advance(result.Count);
            } while (!result.EndOfMessage);

            if (AriEvent.Parse(buffer.WrittenSpan) is not { } e) continue;
            if (e.Type == "ApplicationReplaced")
            {
                logger.LogWarning("Another client took the Stasis application over on Asterisk {Asterisk}; standing back", asterisk.Name);
                return true;
            }
            router.Dispatch(asterisk, e);
        }
        return false;
    }

    /// <summary>
    /// Registrations (ContactStatusChange, EndpointStateChange) of every PJSIP endpoint, for the devices that register
    /// while a door rings. Asterisk refuses the subscription (422) while it has no PJSIP endpoint in memory (realtime
    /// accounts are loaded on first use): then one account is loaded (its device state, which reads it from realtime)
    /// and the subscription made again at once. Door calls are taken meanwhile; it is retried every second.
    /// </summary>
    private async Task SubscribeToEndpointsAsync(AsteriskServer asterisk, CallControlOptions o, CancellationToken ct)
    {
        // Best effort: an Asterisk older than 13.26 has no filter and sends everything, which call control ignores.
        await asterisk.TryAsync(a => a.FilterEventsAsync(AriEvent.Handled, ct), "filter the application's events");
        var warned = false;
        for (var attempt = 0; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await asterisk.Client.SubscribeToEndpointsAsync("PJSIP", ct);
                return;
            }
            // At once, then every tenth attempt (an account created meanwhile can be loaded).
            catch (AriException e) when (e.Status == System.Net.HttpStatusCode.UnprocessableEntity && attempt % 10 == 0)
            {
                if (await LoadOneAccountAsync(asterisk, ct)) continue;
            }
            catch (Exception e) when (AsteriskServer.IsAriFailure(e))
            {
                if (!warned) logger.LogWarning("Could not subscribe to the PJSIP endpoints' registrations on Asterisk {Asterisk} ({Error}); retrying every second", asterisk.Name, e.Message);
                warned = true;
            }
            try { await Task.Delay(Min(o.ReconnectDelay, MaxDelay), ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Makes Asterisk read one SIP account from realtime, which creates its PJSIP endpoint in memory.</summary>
    private async Task<bool> LoadOneAccountAsync(AsteriskServer asterisk, CancellationToken ct)
    {
        try
        {
            string? account;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<Data.NeoliaDb>();
                account = await db.Set<SipAccounts.PsEndpoint>().Select(e => e.Id).OrderBy(id => id).FirstOrDefaultAsync(ct);
            }
            if (account is null) return false; // no account yet: the first one's REGISTER or call loads it
            await asterisk.Client.GetDeviceStateAsync($"PJSIP/{account}", ct);
            logger.LogInformation("Asterisk {Asterisk} had no PJSIP endpoint in memory: loaded account {Account} so registrations can be followed", asterisk.Name, account);
            return true;
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e) || e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning("Could not make Asterisk load a SIP account: {Error}", e.Message);
            return false;
        }
    }

    private static Uri EventsUrl(AsteriskServerOptions asterisk, string application)
    {
        var http = new Uri(asterisk.AriUrl!.TrimEnd('/') + "/ari/events");
        var builder = new UriBuilder(http)
        {
            Scheme = http.Scheme == "https" ? "wss" : "ws",
            Query = $"app={Uri.EscapeDataString(application)}&subscribeAll=false",
        };
        return builder.Uri;
    }
}
