using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Neolia.AppHost;

/// <summary>
/// TLS at the public entry: the gateway's HTTPS (443) and Asterisk's SIP over TLS (5061) share one certificate, given as
/// PEM file paths. A deployment gets them as parameters (<c>tls-certificate-path</c>, <c>tls-key-path</c>: files the
/// operator mounts, renewed by certbot or cert-manager). A developer's stack (<c>Neolia:Tls:DevelopmentCertificate</c>,
/// which scripts/run.sh sets) gets a self-signed certificate generated in the state directory, never committed. Without
/// either, under <c>aspire run</c> and in the tests, the gateway stays on plain HTTP as before.
/// </summary>
public sealed record EdgeTls(object CertificatePath, object KeyPath)
{
    public const string HttpsEndpoint = "https";
    /// <summary>The gateway's plain HTTP for the admin console, which calls the API through it from inside (no redirect).</summary>
    public const string InternalEndpoint = "internal";

    public static EdgeTls? From(IDistributedApplicationBuilder builder, string stateDirectory)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            var certificate = builder.AddParameter("tls-certificate-path")
                .WithDescription("Path, inside the gateway's and Asterisk's containers, of the PEM certificate with its intermediates (certbot's fullchain.pem, cert-manager's tls.crt): HTTPS on 443 and SIP over TLS on 5061.");
            var key = builder.AddParameter("tls-key-path")
                .WithDescription("Path of the certificate's PEM private key (privkey.pem, tls.key), mounted read-only beside it.");
            return new EdgeTls(certificate, key);
        }
        if (!builder.Configuration.GetValue("Neolia:Tls:DevelopmentCertificate", false)) return null;
        var directory = Path.Combine(stateDirectory, "tls");
        var (certificatePath, keyPath) = DevelopmentCertificate(directory);
        return new EdgeTls(certificatePath, keyPath);
    }

    /// <summary>
    /// A self-signed certificate for localhost, made once and kept (until a month before it expires) so a browser's
    /// exception for it lasts. The key file is the owner's only.
    /// </summary>
    public static (string CertificatePath, string KeyPath) DevelopmentCertificate(string directory)
    {
        var certificatePath = Path.Combine(directory, "fullchain.pem");
        var keyPath = Path.Combine(directory, "privkey.pem");
        if (File.Exists(certificatePath) && File.Exists(keyPath)
            && X509CertificateLoader.LoadCertificateFromFile(certificatePath) is { } existing && existing.NotAfter > DateTime.Now.AddDays(30))
        {
            return (certificatePath, keyPath);
        }
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Neolia development", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllText(keyPath, "");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem() + "\n");
        return (certificatePath, keyPath);
    }

    /// <summary>
    /// The gateway terminates TLS: HTTPS on its <c>https</c> endpoint (443 published, 8443 in the container, as a
    /// non-root container cannot bind below 1024), HTTP on <c>http</c> (80 → 8080) only for redirects and ACME, and an
    /// internal plain endpoint for the admin console.
    /// </summary>
    public void ApplyTo(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway, int? httpsPort)
    {
        var publish = !builder.ExecutionContext.IsRunMode;
        if (publish) gateway.WithEndpoint("http", e => { e.Port = 80; e.TargetPort = 8080; });
        if (gateway.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == HttpsEndpoint))
        {
            gateway.WithEndpoint(HttpsEndpoint, e => { e.UriScheme = "https"; e.IsExternal = true; e.Port = publish ? 443 : httpsPort; e.TargetPort = publish ? 8443 : e.TargetPort; });
        }
        else gateway.WithHttpsEndpoint(name: HttpsEndpoint, port: publish ? 443 : httpsPort, targetPort: publish ? 8443 : null);
        gateway.WithHttpEndpoint(name: InternalEndpoint, targetPort: publish ? 8081 : null);
        var https = gateway.GetEndpoint(HttpsEndpoint);
        SetFile(gateway, "Edge__Certificates__0__CertificatePath", CertificatePath);
        SetFile(gateway, "Edge__Certificates__0__KeyPath", KeyPath);
        gateway
            .WithEnvironment("Edge__HttpPort", gateway.GetEndpoint("http").Property(EndpointProperty.TargetPort))
            .WithEnvironment("Edge__HttpsPort", https.Property(EndpointProperty.TargetPort))
            .WithEnvironment("Edge__PublicHttpsPort", https.Property(EndpointProperty.Port))
            .WithEnvironment("Edge__InternalHttpPort", gateway.GetEndpoint(InternalEndpoint).Property(EndpointProperty.TargetPort));
    }

    /// <summary>Asterisk's <c>transport-tls</c> (containers/asterisk/neolia-tls.sh) with the same files.</summary>
    public void ApplyTo<T>(IResourceBuilder<T> asterisk, int sipTlsPort) where T : IResourceWithEnvironment
    {
        SetFile(asterisk, "NEOLIA_TLS_CERT_FILE", CertificatePath);
        SetFile(asterisk, "NEOLIA_TLS_KEY_FILE", KeyPath);
        asterisk.WithEnvironment("NEOLIA_TLS_SIP_PORT", sipTlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A parameter (published) or a path of this machine (the development certificate).</summary>
    private static void SetFile<T>(IResourceBuilder<T> resource, string name, object file) where T : IResourceWithEnvironment
    {
        if (file is IResourceBuilder<ParameterResource> parameter) resource.WithEnvironment(name, parameter);
        else resource.WithEnvironment(name, (string)file);
    }
}
