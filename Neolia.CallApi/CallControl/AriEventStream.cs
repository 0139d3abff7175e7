using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// The ARI event WebSocket (<c>/ari/events?app=…</c>): while it is open, Asterisk hands door calls to CallApi; when it
/// drops, Stasis() fails at once and the dialplan rings SIP phones directly, so it is reopened at once and then with a
/// doubling delay. Credentials go in the Authorization header, never in the URL that is logged.
/// </summary>
internal sealed class AriEventStream(IOptions<CallControlOptions> options, DoorCallRouter router, AriCommands ari, ILogger<AriEventStream> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var url = EventsUrl(o);
        var delay = o.ReconnectDelay;
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
                logger.LogInformation("ARI event stream connected to {Url} as {User}: door calls are controlled by CallApi", url, o.AriUsername);
                delay = o.ReconnectDelay;
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
                logger.LogWarning("ARI event stream to {Url} unavailable ({Error}); retrying in {Delay}", url, e.Message, delay);
            }
            finally
            {
                router.Disconnected();
            }
            // Another CallApi took the application over: let it keep the calls rather than take them back at once.
            var wait = replaced ? MaxDelay : delay;
            try { await Task.Delay(wait, stoppingToken); }
            catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }

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
    /// while a door rings. Asterisk refuses the subscription (422) while it has no PJSIP endpoint in memory (they are
    /// loaded from realtime on first use): door calls are taken meanwhile, and the subscription is tried again.
    /// </summary>
    private async Task SubscribeToEndpointsAsync(CallControlOptions o, CancellationToken ct)
    {
        // Best effort: an Asterisk older than 13.26 has no filter and sends everything, which call control ignores.
        await ari.TryAsync(a => a.FilterEventsAsync(AriEvent.Handled, ct), "filter the application's events");
        var wait = o.ReconnectDelay;
        while (!ct.IsCancellationRequested)
        {
            if (await ari.TryAsync(a => a.SubscribeToEndpointsAsync("PJSIP", ct), "subscribe to the PJSIP endpoints' registrations")) return;
            try { await Task.Delay(wait, ct); }
            catch (OperationCanceledException) { return; }
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private static Uri EventsUrl(CallControlOptions o)
    {
        var http = new Uri(o.AriUrl!.TrimEnd('/') + "/ari/events");
        var builder = new UriBuilder(http)
        {
            Scheme = http.Scheme == "https" ? "wss" : "ws",
            Query = $"app={Uri.EscapeDataString(o.StasisApplication)}&subscribeAll=false",
        };
        return builder.Uri;
    }
}
