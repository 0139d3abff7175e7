using Microsoft.EntityFrameworkCore;
using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// This replica's ARI event WebSocket (<c>/ari/events?app=neolia-&lt;replica id&gt;</c>): while it is open, Asterisk
/// offers door calls to this replica; when it drops (Asterisk restarting, the network), the other replicas take the
/// calls, or the dialplan's fallback does, so it is reopened every <see cref="CallControlOptions.ReconnectDelay"/> (at
/// most 1 s: call control is back within a second of Asterisk's start). Credentials go in the Authorization header,
/// never in the URL that is logged.
/// </summary>
internal sealed class AriEventStream(IOptions<CallControlOptions> options, DoorCallRouter router, AriCommands ari, IServiceScopeFactory scopes,
    ILogger<AriEventStream> logger) : BackgroundService
{
    /// <summary>After another connection took this replica's application over: stand back this long.</summary>
    private static readonly TimeSpan ReplacedDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var url = EventsUrl(o);
        var delay = Min(o.ReconnectDelay, MaxDelay);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var replaced = false;
            try
            {
                using var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", AriClient.BasicAuthorization(o).ToString());
                socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    connect.CancelAfter(TimeSpan.FromSeconds(10));
                    await socket.ConnectAsync(url, connect.Token);
                }
                logger.LogInformation("ARI event stream connected to {Url} as {User}: this replica takes door calls as application {Application}", url, o.AriUsername, o.Application);
                failures = 0;
                using var connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                _ = SubscribeToEndpointsAsync(o, connection.Token);
                await router.ConnectedAsync(stoppingToken);
                replaced = await ReadAsync(socket, stoppingToken);
                connection.Cancel();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Once per outage, and every minute of a long one: the retry runs every second.
                if (failures++ % 60 == 0) logger.LogWarning("ARI event stream to {Url} unavailable ({Error}); retrying every {Delay}", url, e.Message, delay);
            }
            finally
            {
                router.Disconnected();
            }
            // Another process took this application over (the same replica id twice): let it keep the calls.
            var wait = replaced ? ReplacedDelay : delay;
            try { await Task.Delay(wait, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <returns>True when Asterisk said another connection took the application over.</returns>
    private async Task<bool> ReadAsync(ClientWebSocket socket, CancellationToken ct)
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
                    logger.LogWarning("ARI closed the event stream ({Status})", socket.CloseStatusDescription ?? socket.CloseStatus?.ToString());
                    return false;
                }
                buffer.Advance(result.Count);
            } while (!result.EndOfMessage);

            if (AriEvent.Parse(buffer.WrittenSpan) is not { } e) continue;
            if (e.Type == "ApplicationReplaced")
            {
                logger.LogWarning("Another client took the Stasis application over; standing back");
                return true;
            }
            router.Dispatch(e);
        }
        return false;
    }

    /// <summary>
    /// Registrations (ContactStatusChange, EndpointStateChange) of every PJSIP endpoint, for the devices that register
    /// while a door rings. Asterisk refuses the subscription (422) while it has no PJSIP endpoint in memory (realtime
    /// accounts are loaded on first use): then one account is loaded (its device state, which reads it from realtime)
    /// and the subscription made again at once. Door calls are taken meanwhile; it is retried every second.
    /// </summary>
    private async Task SubscribeToEndpointsAsync(CallControlOptions o, CancellationToken ct)
    {
        // Best effort: an Asterisk older than 13.26 has no filter and sends everything, which call control ignores.
        await ari.TryAsync(a => a.FilterEventsAsync(AriEvent.Handled, ct), "filter the application's events");
        var warned = false;
        for (var attempt = 0; !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await ari.Client.SubscribeToEndpointsAsync("PJSIP", ct);
                return;
            }
            // At once, then every tenth attempt (an account created meanwhile can be loaded).
            catch (AriException e) when (e.Status == System.Net.HttpStatusCode.UnprocessableEntity && attempt % 10 == 0)
            {
                if (await LoadOneAccountAsync(ct)) continue;
            }
            catch (Exception e) when (AriCommands.IsAriFailure(e))
            {
                if (!warned) logger.LogWarning("Could not subscribe to the PJSIP endpoints' registrations ({Error}); retrying every second", e.Message);
                warned = true;
            }
            try { await Task.Delay(Min(o.ReconnectDelay, MaxDelay), ct); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Makes Asterisk read one SIP account from realtime, which creates its PJSIP endpoint in memory.</summary>
    private async Task<bool> LoadOneAccountAsync(CancellationToken ct)
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
            await ari.Client.GetDeviceStateAsync($"PJSIP/{account}", ct);
            logger.LogInformation("Asterisk had no PJSIP endpoint in memory: loaded account {Account} so registrations can be followed", account);
            return true;
        }
        catch (Exception e) when (AriCommands.IsAriFailure(e) || e is Npgsql.NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning("Could not make Asterisk load a SIP account: {Error}", e.Message);
            return false;
        }
    }

    private static Uri EventsUrl(CallControlOptions o)
    {
        var http = new Uri(o.AriUrl!.TrimEnd('/') + "/ari/events");
        var builder = new UriBuilder(http)
        {
            Scheme = http.Scheme == "https" ? "wss" : "ws",
            Query = $"app={Uri.EscapeDataString(o.Application)}&subscribeAll=false",
        };
        return builder.Uri;
    }
}
