using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Neolia.Tests.Tls;

/// <summary>A certificate authority made by the tests, and the server certificates it signs, written as PEM files as certbot writes them.</summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificateAuthority(string name = "Neolia Test CA")
    {
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A server certificate for <paramref name="hostNames"/> (its SAN), with its own new key.</summary>
    public (X509Certificate2 Certificate, string CertificatePem, string KeyPem) Issue(params string[] hostNames)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={hostNames[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hostNames) names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key),
            DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), serial);
        // fullchain.pem: the leaf, then the issuer.
        var chainPem = issued.ExportCertificatePem() + "\n" + Certificate.ExportCertificatePem() + "\n";
        return (X509CertificateLoader.LoadCertificate(issued.RawData), chainPem, key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Issues a certificate and writes it to <paramref name="certificatePath"/> and <paramref name="keyPath"/>, replacing what was there.</summary>
    public X509Certificate2 IssueTo(string certificatePath, string keyPath, params string[] hostNames)
    {
        var (certificate, certificatePem, keyPem) = Issue(hostNames);
        // As certbot does: new files moved into place, so a reader never sees half a file.
        File.WriteAllText(certificatePath + ".new", certificatePem);
        File.WriteAllText(keyPath + ".new", keyPem);
        File.Move(certificatePath + ".new", certificatePath, overwrite: true);
        File.Move(keyPath + ".new", keyPath, overwrite: true);
        return certificate;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
