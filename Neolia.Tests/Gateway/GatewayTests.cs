using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Gateway;

/// <summary>What the public entry lets through, and what it does not.</summary>
[Collection(StackCollection.Name)]
public sealed class GatewayTests(StackFixture stack)
{
    [Fact]
    public async Task LiveKits_webhook_is_not_reachable_through_the_gateway()
    {
        // Signed as LiveKit signs it: CallApi itself would take it (see below), the gateway must not pass it on.
        using (var direct = await stack.LiveKitWebhookAsync("room_started", $"call-{Guid.NewGuid():N}")) await direct.EnsureSuccessWithBodyAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/livekit") { Content = new StringContent("{}", null, "application/webhook+json") };
        using var response = await stack.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Connections_the_gateway_accepts_are_kept_alive_by_the_kernel()
    {
        // A phone's socket idles for hours: TCP keep-alive keeps its NAT mapping and finds a phone that vanished, with no
        // timer in the gateway or the Notifier. Linux shows an armed keep-alive timer as "tr" 2 in /proc/net/tcp.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(stack.Stack.GatewayUrl.Host, stack.Stack.GatewayUrl.Port);
        var clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        string? accepted = null;
        for (var attempt = 0; accepted is null && attempt < 50; attempt++)
        {
            accepted = File.ReadLines("/proc/net/tcp").Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => Convert.ToInt32(f[1].Split(':')[1], 16) == stack.Stack.GatewayUrl.Port && Convert.ToInt32(f[2].Split(':')[1], 16) == clientPort)
                .Select(f => f[5]).FirstOrDefault();
            if (accepted is null) await Task.Delay(100);
        }

        Assert.NotNull(accepted);
        var timer = accepted.Split(':');
        Assert.Equal("02", timer[0]);
        // The first probe is due after ClientConnections:KeepAliveIdle (60 s), in jiffies.
        var dueSeconds = Convert.ToInt64(timer[1], 16) / 100.0;
        Assert.InRange(dueSeconds, 30, 60);
    }

    [Fact]
    public async Task A_socket_without_a_token_is_refused_before_the_upgrade()
    {
        var status = await RefusedStatusAsync(new UriBuilder(stack.Stack.GatewayUrl) { Scheme = "ws", Path = "/ws" }.Uri);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task A_socket_with_an_expired_token_is_refused()
    {
        var expired = Token(stack.Secrets.JwtSigningKey, issuedAgo: TimeSpan.FromHours(2), lifetime: TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedStatusAsync(SocketUri(expired)));
    }

    [Fact]
    public async Task A_socket_with_a_forged_token_is_refused()
    {
        var forged = Token("a-different-key-that-is-long-enough-0123456789", issuedAgo: TimeSpan.Zero, lifetime: TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefusedStatusAsync(SocketUri(forged)));
    }

    [Fact]
    public async Task A_signed_in_resident_gets_hello_over_the_gateway()
    {
        var tokens = await stack.LoginAsync("alice@demo.neolia.test");
        await using var socket = await stack.ConnectAsync(tokens.AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
    }

    [Fact]
    public async Task App_sockets_share_the_gateways_http2_connection_to_the_notifier()
    {
        // Each app socket is an HTTP/2 stream (RFC 8441) from the gateway to the Notifier's h2c endpoint: no TCP
        // connection, socket buffers and HTTP/1.1 connection state per app in either process.
        var tokens = await stack.LoginAsync("alice@demo.neolia.test");
        var sockets = new List<ResidentSocket>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var socket = await stack.ConnectAsync(tokens.AccessToken);
                sockets.Add(socket);
                await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
            }

            var gateway = stack.Stack.ProcessIdOf("gateway");
            Assert.Equal(1, ProcessConnections.To(gateway, stack.Stack.PortOf("notifier", "sockets")));
            Assert.Equal(0, ProcessConnections.To(gateway, stack.Stack.PortOf("notifier", "http")));
        }
        finally
        {
            foreach (var socket in sockets) await socket.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_wrong_password_is_a_problem_and_says_nothing_about_the_account()
    {
        using var wrongPassword = await stack.Gateway.PostAsJsonAsync("/api/auth/login", new { email = "alice@demo.neolia.test", password = "wrong-password-123" });
        using var noAccount = await stack.Gateway.PostAsJsonAsync("/api/auth/login", new { email = "nobody@demo.neolia.test", password = "wrong-password-123" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noAccount.StatusCode);
        Assert.Equal("application/problem+json", wrongPassword.Content.Headers.ContentType?.MediaType);
        var a = await wrongPassword.Content.ReadFromJsonAsync<JsonElement>();
        var b = await noAccount.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_refresh_token_gives_a_new_pair_once()
    {
        var tokens = await stack.LoginAsync("bob@demo.neolia.test");

        using var refreshed = await stack.Gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.RefreshToken });
        await refreshed.EnsureSuccessWithBodyAsync();
        var pair = await refreshed.Content.ReadFromJsonAsync<TokenPair>();
        Assert.NotEqual(tokens.RefreshToken, pair!.RefreshToken);
        await using (var socket = await stack.ConnectAsync(pair.AccessToken))
        {
            await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");
        }

        // The old token was rotated away; replaying it also revokes the new one (theft detection).
        using var replay = await stack.Gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        using var afterReplay = await stack.Gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = pair.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task Health_endpoints_answer(string path)
    {
        using var response = await stack.Gateway.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Uri SocketUri(string token) =>
        new UriBuilder(stack.Stack.GatewayUrl) { Scheme = "ws", Path = "/ws", Query = $"access_token={token}" }.Uri;

    private static async Task<HttpStatusCode> RefusedStatusAsync(Uri uri)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None));
        return socket.HttpStatusCode;
    }

    private static string Token(string key, TimeSpan issuedAgo, TimeSpan lifetime)
    {
        var issued = DateTime.UtcNow - issuedAgo;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "neolia",
            Audience = "neolia-app",
            Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString()), new Claim("role", "resident")]),
            IssuedAt = issued,
            NotBefore = issued,
            Expires = issued + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}
