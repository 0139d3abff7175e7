using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Neolia.DevStack;

namespace Neolia.Tests.Tls;

/// <summary>
/// The real gateway process with certificates of the tests' own CA: <c>intercom.test</c> has its own, every other name
/// gets the default one. Behind it, a stand-in for LiveKit's signalling (<c>/rtc</c>) that echoes WebSocket messages
/// for as long as the socket stays open.
/// </summary>
public sealed class EdgeTlsFixture : IAsyncLifetime
{
    public const string IntercomHost = "intercom.test";
    private WebApplication? _upstream;
    private ServiceProcess? _gateway;

    public TestCertificateAuthority Authority { get; } = new();
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "neolia-tests", "tls-" + Guid.NewGuid().ToString("N")[..12]);
    public string IntercomCertificatePath => Path.Combine(Directory, "intercom", "fullchain.pem");
    public string IntercomKeyPath => Path.Combine(Directory, "intercom", "privkey.pem");
    public X509Certificate2 IntercomCertificate { get; private set; } = null!;
    public X509Certificate2 DefaultCertificate { get; private set; } = null!;
    public string AcmeDirectory => Path.Combine(Directory, "acme");
    public int HttpPort { get; } = FreePort.Next();
    public int HttpsPort { get; } = FreePort.Next();

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "intercom"));
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "default"));
        System.IO.Directory.CreateDirectory(Path.Combine(AcmeDirectory, ".well-known", "acme-challenge"));
        IntercomCertificate = Authority.IssueTo(IntercomCertificatePath, IntercomKeyPath, IntercomHost);
        DefaultCertificate = Authority.IssueTo(Path.Combine(Directory, "default", "fullchain.pem"), Path.Combine(Directory, "default", "privkey.pem"), "neolia.test");

        var upstreamUrl = await StartUpstreamAsync();
        _gateway = await ServiceProcess.StartAsync("gateway-tls", "Neolia.Gateway", HttpPort, GatewaySettings(upstreamUrl, Path.Combine(Directory, "default", "privkey.pem")), Path.Combine(Directory, "logs"));
    }

    /// <summary>The gateway's settings: the two certificates, its ports, the ACME directory, upstreams found as the AppHost names them.</summary>
    public Dictionary<string, string?> GatewaySettings(Uri upstream, string defaultKeyPath) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production", // HSTS is sent outside Development
        ["Edge__Certificates__0__HostNames__0"] = IntercomHost,
        ["Edge__Certificates__0__CertificatePath"] = IntercomCertificatePath,
        ["Edge__Certificates__0__KeyPath"] = IntercomKeyPath,
        ["Edge__Certificates__1__CertificatePath"] = Path.Combine(Directory, "default", "fullchain.pem"),
        ["Edge__Certificates__1__KeyPath"] = defaultKeyPath,
        ["Edge__HttpPort"] = HttpPort.ToString(),
        ["Edge__HttpsPort"] = HttpsPort.ToString(),
        ["Edge__AcmeChallengeDirectory"] = AcmeDirectory,
        // No periodic re-read during the tests: a renewal must be noticed from the file system's notification.
        ["Edge__CertificateCheckInterval"] = "01:00:00",
        ["services__livekit__http__0"] = upstream.ToString(),
        ["services__callapi__http__0"] = upstream.ToString(),
        ["services__notifier__sockets__0"] = upstream.ToString(),
        ["services__adminconsole__http__0"] = upstream.ToString(),
        ["services__asterisk__http__0"] = upstream.ToString(),
    };

    private async Task<Uri> StartUpstreamAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); builder.Configuration.AddInMemoryCollection();
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        builder.WebHost.UseUrls(url.ToString());
        _upstream = builder.Build();
        _upstream.UseWebSockets();
        _upstream.Run(async http =>
        {
            if (!http.WebSockets.IsWebSocketRequest)
            {
                await http.Response.WriteAsync("upstream");
                return;
            }
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close) break;
                await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        });
        await _upstream.StartAsync();
        return url;
    }

    /// <summary>A TLS client that trusts only the tests' CA and connects to the gateway whatever name it asks for.</summary>
    public SocketsHttpHandler Handler(Action<X509Certificate2>? seen = null) => new()
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, HttpsPort, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = ClientOptions(SslProtocols.None, IntercomHost, seen),
        AllowAutoRedirect = false,
    };

    public SslClientAuthenticationOptions ClientOptions(SslProtocols protocols, string host, Action<X509Certificate2>? seen = null) => new()
    {
        TargetHost = host,
        EnabledSslProtocols = protocols,
        CertificateChainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            CustomTrustStore = { Authority.Certificate },
            RevocationMode = X509RevocationMode.NoCheck,
        },
        RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is not null) seen?.Invoke(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            return errors == SslPolicyErrors.None;
        },
    };

    /// <summary>The certificate a new TLS handshake with <paramref name="host"/> gets, and the protocol agreed.</summary>
    public async Task<(X509Certificate2 Certificate, SslProtocols Protocol)> HandshakeAsync(string host, SslProtocols protocols = SslProtocols.None)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, HttpsPort);
        await using var tls = new SslStream(client.GetStream());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tls.AuthenticateAsClientAsync(ClientOptions(protocols, host), timeout.Token);
        return (X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData()), tls.SslProtocol);
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null) await _gateway.DisposeAsync();
        if (_upstream is not null) await _upstream.DisposeAsync();
        Authority.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

public sealed class EdgeTlsTests(EdgeTlsFixture edge) : IClassFixture<EdgeTlsFixture>
{
    [Fact]
    public async Task Each_host_name_gets_its_certificate_and_any_other_name_the_default()
    {
        var intercom = await edge.HandshakeAsync(EdgeTlsFixture.IntercomHost);
        var other = await edge.HandshakeAsync("neolia.test");

        Assert.Equal(edge.IntercomCertificate.Thumbprint, intercom.Certificate.Thumbprint);
        Assert.Equal(edge.DefaultCertificate.Thumbprint, other.Certificate.Thumbprint);
    }

    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Tls_12_and_13_are_accepted(SslProtocols protocol)
    {
        var (_, negotiated) = await edge.HandshakeAsync(EdgeTlsFixture.IntercomHost, protocol);
        Assert.Equal(protocol, negotiated);
    }

    [Theory]
    [InlineData("-tls1")]
    [InlineData("-tls1_1")]
    public async Task Tls_10_and_11_are_refused_by_the_gateway(string version)
    {
        // .NET's client (and OpenSSL's default security level) will not even offer TLS 1.0/1.1, which would prove nothing:
        // openssl s_client at security level 0 offers them, and the gateway must answer with a protocol_version alert.
        var control = await OpenSslClientAsync(version, edge.HttpsPort, serverName: EdgeTlsFixture.IntercomHost);
        Assert.DoesNotContain("no protocols available", control);
        Assert.Contains("alert protocol version", control);
        Assert.DoesNotContain("Cipher is ECDHE", control);
    }

    [Fact]
    public async Task Https_is_proxied_and_carries_hsts()
    {
        using var client = new HttpClient(edge.Handler()) { BaseAddress = new Uri($"https://{EdgeTlsFixture.IntercomHost}:{edge.HttpsPort}") };
        using var response = await client.GetAsync("/rtc/validate");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("upstream", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Plain_http_redirects_to_https_with_the_path_and_query()
    {
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{edge.HttpPort}/api/me?x=1") { Headers = { Host = EdgeTlsFixture.IntercomHost } };
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal($"https://{EdgeTlsFixture.IntercomHost}:{edge.HttpsPort}/api/me?x=1", response.Headers.Location?.ToString());
        Assert.False(response.Headers.Contains("Strict-Transport-Security")); // HSTS only over HTTPS (RFC 6797 §7.2)
    }

    [Fact]
    public async Task Acme_challenges_are_answered_over_plain_http_from_the_webroot()
    {
        // As certbot --webroot -w DIR leaves them.
        var token = "Tok3n_" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(edge.AcmeDirectory, ".well-known", "acme-challenge", token), token + ".thumbprint");
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{edge.HttpPort}") };

        using var found = await client.GetAsync($"/.well-known/acme-challenge/{token}");
        using var unknown = await client.GetAsync("/.well-known/acme-challenge/no-such-token");
        using var outside = await client.GetAsync("/.well-known/acme-challenge/..%2F..%2Fintercom%2Fprivkey.pem");

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(token + ".thumbprint", await found.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }

    [Fact]
    public async Task A_renewed_certificate_reaches_new_handshakes_while_an_open_websocket_keeps_going()
    {
        using var socket = new ClientWebSocket();
        X509Certificate2? socketCertificate = null;
        using var invoker = new HttpMessageInvoker(edge.Handler(c => socketCertificate = c));
        await socket.ConnectAsync(new Uri($"wss://{EdgeTlsFixture.IntercomHost}:{edge.HttpsPort}/rtc"), invoker, CancellationToken.None);
        Assert.Equal("before", await EchoAsync(socket, "before"));
        Assert.Equal(edge.IntercomCertificate.Thumbprint, socketCertificate?.Thumbprint);

        var renewed = edge.Authority.IssueTo(edge.IntercomCertificatePath, edge.IntercomKeyPath, EdgeTlsFixture.IntercomHost);
        var served = await WaitForAsync(async () => (await edge.HandshakeAsync(EdgeTlsFixture.IntercomHost)).Certificate,
            c => c.Thumbprint == renewed.Thumbprint, TimeSpan.FromSeconds(15));

        Assert.Equal(renewed.Thumbprint, served.Thumbprint);
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.Equal("after", await EchoAsync(socket, "after"));
        // The other name's certificate was not touched.
        Assert.Equal(edge.DefaultCertificate.Thumbprint, (await edge.HandshakeAsync("neolia.test")).Certificate.Thumbprint);
    }

    [Fact]
    public async Task A_missing_key_file_stops_the_gateway_at_start_naming_the_setting()
    {
        var settings = edge.GatewaySettings(new Uri("http://127.0.0.1:1"), Path.Combine(edge.Directory, "default", "missing.pem"));
        var port = FreePort.Next();
        settings["Edge__HttpPort"] = port.ToString();
        settings["Edge__HttpsPort"] = FreePort.Next().ToString();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceProcess.StartAsync("gateway-tls-missing-key", "Neolia.Gateway", port, settings, Path.Combine(edge.Directory, "logs")));
        Assert.Contains("exited at start", failure.Message);
        Assert.Contains("Edge:Certificates:1:KeyPath", failure.Message);
        Assert.Contains("missing.pem", failure.Message);
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[256];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(200);
        }
    }

    private static async Task<string> OpenSslClientAsync(string version, int port, string serverName)
    {
        var start = new ProcessStartInfo("openssl")
        {
            ArgumentList = { "s_client", "-connect", $"127.0.0.1:{port}", "-servername", serverName, version, "-cipher", "DEFAULT@SECLEVEL=0" },
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
        return await output + await error;
    }
}
