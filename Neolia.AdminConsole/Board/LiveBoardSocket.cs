using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using Neolia.AdminConsole.Api;
using Neolia.AdminConsole.SignIn;
using Neolia.Contracts;

namespace Neolia.AdminConsole.Board;

/// <summary>
/// The Notifier's admin board socket (<c>/ws/admin</c>, through the gateway), held by the console's server for one
/// circuit with the administrator's token; each call event is handed to the page, which re-renders over the circuit.
/// Reconnects with a fresh token when the socket drops.
/// </summary>
public sealed class LiveBoardSocket(ConsoleUser user, IOptions<ApiOptions> api, ServiceEndpointResolver discovery, ILogger<LiveBoardSocket> logger)
    : IAsyncDisposable
{
    public const string Path = "ws/admin";
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _running;

    /// <summary>True while the socket is open: the board says so, so nobody trusts a stale board.</summary>
    public bool Connected { get; private set; }

    public event Func<BoardCall, Task>? CallChanged;
    public event Func<Task>? ConnectionChanged;

    public void Start() => _running ??= RunAsync(_stopping.Token);

    private async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var token = await user.AccessTokenAsync(forceRefresh: false, stopping);
                if (token is null) return;
                using var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
                await socket.ConnectAsync(await AddressAsync(stopping), stopping);
                await SetConnectedAsync(true);
                await ReceiveAsync(socket, stopping);
            }
            catch (Exception e) when (e is WebSocketException or HttpRequestException or JsonException or InvalidOperationException)
            {
                logger.LogInformation("Live board socket dropped: {Message}", e.Message);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            await SetConnectedAsync(false);
            await Task.Delay(ReconnectDelay, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ReceiveAsync(ClientWebSocket socket, CancellationToken stopping)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (socket.State == WebSocketState.Open)
        {
            var result = await socket.ReceiveAsync(buffer, stopping);
            if (result.MessageType == WebSocketMessageType.Close) return;
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            var json = message.ToArray();
            message.SetLength(0);
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.TryGetProperty("type", out var type) && type.GetString() == BoardCallMessage.MessageType
                && JsonSerializer.Deserialize(json, ContractsJson.Default.BoardCallMessage) is { } board && CallChanged is { } handler)
            {
                await handler(board.Call);
            }
        }
    }

    /// <summary>The gateway's address as service discovery knows it (or as configured), with the WebSocket scheme.</summary>
    private async Task<Uri> AddressAsync(CancellationToken ct)
    {
        var gateway = new Uri(api.Value.Gateway);
        var endpoints = await discovery.GetEndpointsAsync($"{gateway.Scheme}://{gateway.Host}", ct);
        var builder = endpoints.Endpoints.Count == 0 ? new UriBuilder(gateway) : endpoints.Endpoints[0].EndPoint switch
        {
            UriEndPoint u => new UriBuilder(u.Uri),
            DnsEndPoint d => new UriBuilder(gateway.Scheme, d.Host, d.Port),
            IPEndPoint ip => new UriBuilder(gateway.Scheme, ip.Address.ToString(), ip.Port),
            var other => new UriBuilder($"{gateway.Scheme}://{other}"),
        };
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        builder.Path = "/" + Path;
        return builder.Uri;
    }

    private async Task SetConnectedAsync(bool connected)
    {
        if (Connected == connected) return;
        Connected = connected;
        if (ConnectionChanged is { } handler) await handler();
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_running is not null) await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }
}
