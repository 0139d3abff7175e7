using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Neolia.Tests.Push;

/// <summary>
/// A self-signed certificate for 127.0.0.1/localhost made at test time (nothing committed), and an HTTP handler
/// that trusts exactly that certificate — production code never bypasses validation.
/// </summary>
public static class TestTls
{
    private static readonly Lazy<X509Certificate2> Lazy = new(Create);
    public static X509Certificate2 Certificate => Lazy.Value;

    private static X509Certificate2 Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=neolia-push-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        // Its own trust anchor: a process started with SSL_CERT_FILE pointing at it trusts it (and nothing else).
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Trusts the test certificate and nothing else that would otherwise fail validation.</summary>
    public static SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                errors == SslPolicyErrors.None || (cert is not null && cert.GetCertHashString() == Certificate.Thumbprint),
        },
    };

    /// <summary>Starts a Kestrel app on 127.0.0.1 with a random port, TLS and the given protocols.</summary>
    public static async Task<(WebApplication App, Uri BaseUrl)> StartAsync(HttpProtocols protocols, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); builder.Configuration.AddInMemoryCollection(); // not the services' appsettings.json of the test output (the Notifier's Kestrel:Endpoints)
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            listen.UseHttps(Certificate);
        }));
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return (app, new Uri(address.Replace("[::1]", "127.0.0.1") + "/"));
    }
}

public static class TestTlsFiles
{
    /// <summary>The test certificate as a PEM file, for a child process's <c>SSL_CERT_FILE</c> (its only trusted root).</summary>
    public static string WriteCertificatePem()
    {
        var path = Path.Combine(Path.GetTempPath(), $"neolia-push-test-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, TestTls.Certificate.ExportCertificatePem());
        return path;
    }
}
