using Microsoft.Extensions.Configuration;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Neolia.DevStack;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Gateway;

/// <summary>
/// Stands in for LiveKit's signalling port and Asterisk's HTTP/WebSocket port: a real Kestrel that records what
/// reaches it and echoes WebSocket messages, found by the gateway through service discovery as the AppHost wires it.
/// </summary>
public sealed class UpstreamStackFixture : StackFixture
{
    private WebApplication? _upstream;

    public ConcurrentQueue<(string Path, string Query, string? SubProtocol)> Seen { get; } = new();
    public Uri UpstreamUrl { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["gateway"] = new Dictionary<string, string?>
            {
                ["services__livekit__http__0"] = UpstreamUrl.ToString(),
                ["services__asterisk__http__0"] = UpstreamUrl.ToString(),
            },
        };

    public override async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); builder.Configuration.AddInMemoryCollection(); // not the services' appsettings.json of the test output (the Notifier's Kestrel:Endpoints)
        UpstreamUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        builder.WebHost.UseUrls(UpstreamUrl.ToString());
        _upstream = builder.Build();
        _upstream.UseWebSockets();
        _upstream.Run(async http =>
        {
            var requested = http.WebSockets.WebSocketRequestedProtocols.FirstOrDefault();
            Seen.Enqueue((http.Request.Path, http.Request.QueryString.Value ?? "", requested));
            if (!http.WebSockets.IsWebSocketRequest)
            {
                await http.Response.WriteAsync("upstream");
                return;
            }
            using var socket = await http.WebSockets.AcceptWebSocketAsync(requested);
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        });
        await _upstream.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_upstream is not null) await _upstream.DisposeAsync();
    }
}

public sealed class UpstreamRoutingTests(UpstreamStackFixture stack) : IClassFixture<UpstreamStackFixture>
{
    [Fact]
    public async Task LiveKit_signalling_is_proxied_as_a_websocket_with_its_path_and_token()
    {
        var echoed = await EchoThroughGatewayAsync("/rtc", "access_token=lk-token&auto_subscribe=1", subProtocol: null);

        Assert.Equal("ping", echoed);
        Assert.Contains(stack.Seen, s => s.Path == "/rtc" && s.Query.Contains("access_token=lk-token"));
    }

    [Fact]
    public async Task LiveKit_http_paths_under_rtc_are_proxied()
    {
        using var response = await stack.Gateway.GetAsync("/rtc/validate?access_token=x");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(stack.Seen, s => s.Path == "/rtc/validate");
    }

    [Fact]
    public async Task Sip_over_websocket_reaches_asterisks_ws_path_with_the_sip_subprotocol()
    {
        var echoed = await EchoThroughGatewayAsync("/sip", "", subProtocol: "sip");

        Assert.Equal("ping", echoed);
        Assert.Contains(stack.Seen, s => s.Path == "/ws" && s.SubProtocol == "sip");
    }

    private async Task<string> EchoThroughGatewayAsync(string path, string query, string? subProtocol)
    {
        using var socket = new ClientWebSocket();
        if (subProtocol is not null) socket.Options.AddSubProtocol(subProtocol);
        var uri = new UriBuilder(stack.Stack.GatewayUrl) { Scheme = "ws", Path = path, Query = query }.Uri;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, timeout.Token);
        Assert.Equal(subProtocol, socket.SubProtocol);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[64];
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}
