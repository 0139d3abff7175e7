using System.ComponentModel.DataAnnotations;

namespace Neolia.Gateway.Tls;

/// <summary>
/// TLS at the public entry (section <c>Edge</c>, beside <see cref="Security.EdgeOptions"/>). With no certificate the
/// gateway speaks plain HTTP on the host's own addresses, as behind an ingress that terminates TLS; with certificates
/// it listens for HTTPS/WSS on <see cref="HttpsPort"/> and keeps <see cref="HttpPort"/> for redirects and ACME.
/// </summary>
public sealed class EdgeTlsOptions : IValidatableObject
{
    public const string Section = "Edge";

    /// <summary>The certificates, chosen per TLS handshake by the name the client asks for (SNI).</summary>
    public List<EdgeCertificate> Certificates { get; set; } = [];

    [Range(1, 65535, ErrorMessage = "Edge:HttpsPort must be between 1 and 65535.")]
    public int HttpsPort { get; set; } = 443;

    [Range(1, 65535, ErrorMessage = "Edge:HttpPort must be between 1 and 65535.")]
    public int HttpPort { get; set; } = 80;

    /// <summary>
    /// Plain HTTP for services on the private network that call the API through the gateway (the admin console's
    /// server side), answered as without TLS: no redirect. None by default; never publish it.
    /// </summary>
    [Range(1, 65535, ErrorMessage = "Edge:InternalHttpPort must be between 1 and 65535.")]
    public int? InternalHttpPort { get; set; }

    /// <summary>
    /// The port clients are redirected to, when it differs from <see cref="HttpsPort"/> (a container listening on 8443
    /// behind a public 443).
    /// </summary>
    [Range(1, 65535, ErrorMessage = "Edge:PublicHttpsPort must be between 1 and 65535.")]
    public int? PublicHttpsPort { get; set; }

    /// <summary>
    /// Where an ACME client (certbot <c>--webroot -w DIR</c>, which writes <c>DIR/.well-known/acme-challenge/TOKEN</c>)
    /// leaves its HTTP-01 challenges; served over plain HTTP. None: the challenge path answers 404.
    /// </summary>
    public string? AcmeChallengeDirectory { get; set; }

    /// <summary>How often the certificate files are read again in case a change notification was missed (symlink swaps, network file systems).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Edge:CertificateCheckInterval must be between 1 s and 1 day.")]
    public TimeSpan CertificateCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    public bool TerminatesTls => Certificates.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!TerminatesTls) yield break;
        if (new[] { HttpPort, HttpsPort, InternalHttpPort ?? 0 }.Where(p => p != 0).Distinct().Count() != (InternalHttpPort is null ? 2 : 3))
        {
            yield return new ValidationResult("Edge:HttpPort, Edge:HttpsPort and Edge:InternalHttpPort must differ.");
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var defaults = 0;
        for (var i = 0; i < Certificates.Count; i++)
        {
            var certificate = Certificates[i];
            var key = $"Edge:Certificates:{i}";
            foreach (var (name, path) in new[] { ("CertificatePath", certificate.CertificatePath), ("KeyPath", certificate.KeyPath) })
            {
                if (string.IsNullOrWhiteSpace(path)) yield return new ValidationResult($"{key}:{name} is required (a PEM file).");
                else if (!File.Exists(path)) yield return new ValidationResult($"{key}:{name} names '{path}', which does not exist or cannot be read.");
            }
            if (certificate.HostNames.Length == 0) defaults++;
            foreach (var host in certificate.HostNames)
            {
                if (Uri.CheckHostName(host.Replace("*.", "", StringComparison.Ordinal)) != UriHostNameType.Dns)
                {
                    yield return new ValidationResult($"{key}:HostNames holds '{host}', which is not a DNS name (a wildcard is '*.example.com').");
                }
                else if (!seen.Add(host)) yield return new ValidationResult($"{key}:HostNames: '{host}' is given to two certificates.");
            }
        }
        if (defaults > 1) yield return new ValidationResult("Edge:Certificates: only one certificate may have no HostNames (the default).");
        if (AcmeChallengeDirectory is { Length: > 0 } acme && !Directory.Exists(acme))
        {
            yield return new ValidationResult($"Edge:AcmeChallengeDirectory names '{acme}', which does not exist.");
        }
    }
}

/// <summary>One certificate of the edge: PEM files as certbot or cert-manager write them.</summary>
public sealed class EdgeCertificate
{
    /// <summary>The names it serves (SNI, wildcards as <c>*.example.com</c>); none: the default, for any other name and for clients without SNI.</summary>
    public string[] HostNames { get; set; } = [];

    /// <summary>The certificate, followed by its intermediates (certbot's <c>fullchain.pem</c>, cert-manager's <c>tls.crt</c>).</summary>
    public string CertificatePath { get; set; } = "";

    /// <summary>Its private key (<c>privkey.pem</c>, <c>tls.key</c>).</summary>
    public string KeyPath { get; set; } = "";
}
