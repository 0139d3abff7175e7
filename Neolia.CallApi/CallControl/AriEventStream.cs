using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// The ARI event WebSocket (<c>/ari/events?app=…</c>): while it is open, Asterisk hands door calls to CallApi; when it
/// drops, Stasis() fails at once and the dialplan rings SIP phones directly, so it is reopened at once and then with a
/// doubling delay. Credentials go in the Authorization header, never in the URL that is logged.
/// </summary>
public sealed class AriEventStream(IOptions<CallControlOptions> options, DoorCallController controller, ILogger<AriEventStream> logger) : BackgroundService
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
                await controller.ConnectedAsync(stoppingToken);
                replaced = await ReadAsync(socket, stoppingToken);
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
                controller.Disconnected();
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
            await controller.HandleAsync(e, ct);
        }
        return false;
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
