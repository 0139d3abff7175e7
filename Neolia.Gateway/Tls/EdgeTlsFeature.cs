using System.Net.Security;
using System.Security.Authentication;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Neolia.Gateway.Tls;

/// <summary>
/// The gateway terminates TLS itself when <c>Edge:Certificates</c> names certificates: HTTPS and WSS on
/// <c>Edge:HttpsPort</c> (TLS 1.2 and 1.3, AEAD ciphers, the certificate per SNI name, reloaded when renewed), and plain
/// HTTP on <c>Edge:HttpPort</c> only to redirect (308) and to answer ACME HTTP-01 challenges and the orchestrator's
/// health probes. Without certificates nothing changes: plain HTTP on the host's addresses, for a deployment whose
/// ingress terminates TLS.
/// </summary>
public static partial class EdgeTlsFeature
{
    public const string AcmeChallengePath = "/.well-known/acme-challenge";

    public static WebApplicationBuilder AddEdgeTls(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EdgeTlsOptions>(EdgeTlsOptions.Section);
        if (!builder.Configuration.GetSection($"{EdgeTlsOptions.Section}:{nameof(EdgeTlsOptions.Certificates)}").GetChildren().Any()) return builder;

        // The listeners are the ones below: the host's own addresses (ASPNETCORE_URLS, HTTP_PORTS) would only be overridden.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, "");
        builder.Services.AddSingleton<EdgeCertificates>();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<EdgeTlsOptions>, EdgeCertificates>((kestrel, options, certificates) =>
        {
            kestrel.ListenAnyIP(options.Value.HttpPort);
            if (options.Value.InternalHttpPort is { } internalPort) kestrel.ListenAnyIP(internalPort);
            kestrel.ListenAnyIP(options.Value.HttpsPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new TlsHandshakeCallbackOptions
                {
                    OnConnection = context => ValueTask.FromResult(ServerOptions(certificates, context.ClientHelloInfo.ServerName)),
                });
            });
        });
        builder.Services.AddHttpsRedirection(redirect =>
        {
            redirect.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            var configured = builder.Configuration.GetSection(EdgeTlsOptions.Section).Get<EdgeTlsOptions>() ?? new EdgeTlsOptions();
            redirect.HttpsPort = configured.PublicHttpsPort ?? configured.HttpsPort;
        });
        return builder;
    }

    /// <summary>Plain HTTP answers ACME challenges and health probes and redirects everything else to HTTPS.</summary>
    public static WebApplication UseEdgeTls(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<EdgeTlsOptions>>().Value;
        if (!options.TerminatesTls) return app;
        _ = app.Services.GetRequiredService<EdgeCertificates>(); // read (and check) the files before the first client
        app.UseWhen(http => !http.Request.IsHttps && http.Connection.LocalPort != options.InternalHttpPort, plain =>
        {
            plain.Map(AcmeChallengePath, acme => acme.Run(http => AnswerChallengeAsync(http, options.AcmeChallengeDirectory)));
            // Probes stay on plain HTTP: an orchestrator checks the container's own port, without the public name.
            plain.UseWhen(http => !http.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) && !http.Request.Path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath),
                redirect => redirect.UseHttpsRedirection());
        });
        return app;
    }

    private static SslServerAuthenticationOptions ServerOptions(EdgeCertificates certificates, string? serverName) => new()
    {
        ServerCertificateContext = certificates.For(serverName),
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        // Forward-secret AEAD suites only; OpenSSL's own list still has CBC suites for TLS 1.2.
        CipherSuitesPolicy = OperatingSystem.IsWindows() ? null : ModernCiphers,
    };

    private static readonly CipherSuitesPolicy? ModernCiphers = OperatingSystem.IsWindows() ? null : new CipherSuitesPolicy(
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ]);

    /// <summary>The token file an ACME client left in <c>DIR/.well-known/acme-challenge/</c> (certbot <c>--webroot -w DIR</c>).</summary>
    private static async Task AnswerChallengeAsync(HttpContext http, string? directory)
    {
        var token = http.Request.Path.Value?.TrimStart('/') ?? "";
        // Tokens are base64url (RFC 8555 §8.3): nothing else reaches the file system.
        var file = directory is { Length: > 0 } && AcmeToken().IsMatch(token) ? Path.Combine(directory, ".well-known", "acme-challenge", token) : null;
        if (file is null || !File.Exists(file) || !HttpMethods.IsGet(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        http.Response.ContentType = "application/octet-stream";
        await http.Response.SendFileAsync(file);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex AcmeToken();
}
