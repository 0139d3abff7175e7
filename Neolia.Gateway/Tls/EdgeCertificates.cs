using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Neolia.Gateway.Tls;

/// <summary>
/// The edge's certificates, read from their PEM files and read again when the files change (certbot, cert-manager):
/// each handshake takes the certificate current at that moment, so a renewal needs no restart and an open connection
/// keeps the certificate it was made with. A change is noticed from the directory's change notifications and, as a
/// fallback for the swaps they miss (cert-manager's <c>..data</c> symlink, certbot's <c>live/</c> links, network file
/// systems), by reading the files again every <see cref="EdgeTlsOptions.CertificateCheckInterval"/>.
/// </summary>
public sealed class EdgeCertificates : IDisposable
{
    // certbot writes the certificate and then the key: a change is read once both had time to land.
    private static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(300);

    private readonly ILogger<EdgeCertificates> _logger;
    private readonly LoadedCertificate[] _loaded;
    private readonly List<IDisposable> _watches = [];
    private readonly ITimer _periodicCheck;
    private readonly Lock _reloading = new();

    public EdgeCertificates(IOptions<EdgeTlsOptions> options, ILogger<EdgeCertificates> logger, TimeProvider time)
    {
        _logger = logger;
        // A file that cannot be read at start is a start error, naming the setting.
        _loaded = [.. options.Value.Certificates.Select((certificate, index) => new LoadedCertificate(index, certificate, Load(index, certificate)))];
        foreach (var directory in _loaded.SelectMany(l => new[] { l.Source.CertificatePath, l.Source.KeyPath })
                     .Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!).Distinct())
        {
            var files = new PhysicalFileProvider(directory);
            _watches.Add(files);
            _watches.Add(ChangeToken.OnChange(() => files.Watch("*"), () => _ = ReloadSoonAsync()));
        }
        _periodicCheck = time.CreateTimer(_ => ReloadChanged(), null, options.Value.CertificateCheckInterval, options.Value.CertificateCheckInterval);
    }

    /// <summary>The certificate for the name the client asked for (SNI), else the default one.</summary>
    public SslStreamCertificateContext For(string? serverName)
    {
        LoadedCertificate? fallback = null;
        foreach (var loaded in _loaded)
        {
            if (serverName is { Length: > 0 } && loaded.Source.HostNames.Any(h => Matches(h, serverName))) return loaded.Current.Context;
            if (loaded.Source.HostNames.Length == 0) fallback ??= loaded;
        }
        return (fallback ?? _loaded[0]).Current.Context;
    }

    /// <summary>Reads every certificate whose files changed; one that cannot be read keeps its previous version.</summary>
    public void ReloadChanged()
    {
        lock (_reloading)
        {
            foreach (var loaded in _loaded)
            {
                try
                {
                    if (Fingerprint(loaded.Source).SequenceEqual(loaded.Current.Fingerprint)) continue;
                    loaded.Current = Load(loaded.Index, loaded.Source);
                    var certificate = loaded.Current.Context.TargetCertificate;
                    _logger.LogInformation("Edge certificate {Index} ({HostNames}) reloaded from {Path}: {Subject}, valid until {NotAfter:O}, thumbprint {Thumbprint}.",
                        loaded.Index, Describe(loaded.Source), loaded.Source.CertificatePath, certificate.Subject, certificate.NotAfter.ToUniversalTime(), certificate.Thumbprint);
                }
                catch (Exception e) when (e is IOException or CryptographicException or UnauthorizedAccessException or InvalidOperationException)
                {
                    // Half-written files (certificate renewed, key not yet): the next notification or check tries again.
                    _logger.LogWarning("Edge certificate {Index} ({HostNames}) not reloaded, the previous one stays in use: {Reason}",
                        loaded.Index, Describe(loaded.Source), e.Message);
                }
            }
        }
    }

    private async Task ReloadSoonAsync()
    {
        await Task.Delay(SettleDelay);
        ReloadChanged();
    }

    private static Version Load(int index, EdgeCertificate source)
    {
        var fingerprint = Fingerprint(source);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(source.CertificatePath);
        if (chain.Count == 0) throw new InvalidOperationException($"Edge:Certificates:{index}:CertificatePath ('{source.CertificatePath}') holds no PEM certificate.");
        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPemFile(source.CertificatePath, source.KeyPath);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"Edge:Certificates:{index}: the key in '{source.KeyPath}' cannot be read or does not belong to the certificate in '{source.CertificatePath}' ({e.Message}).", e);
        }
        // offline: false lets .NET fetch and staple the OCSP answer (Linux) when the certificate names an OCSP responder;
        // the intermediates after the leaf (fullchain.pem) are sent with it.
        var context = SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(chain.Skip(1).ToArray()), offline: false);
        return new Version(context, fingerprint);
    }

    private static byte[] Fingerprint(EdgeCertificate source) =>
        SHA256.HashData([.. File.ReadAllBytes(source.CertificatePath), .. File.ReadAllBytes(source.KeyPath)]);

    private static bool Matches(string hostName, string serverName) =>
        hostName.StartsWith("*.", StringComparison.Ordinal)
            ? serverName.EndsWith(hostName[1..], StringComparison.OrdinalIgnoreCase) && serverName.IndexOf('.') == serverName.Length - hostName.Length + 1
            : string.Equals(hostName, serverName, StringComparison.OrdinalIgnoreCase);

    private static string Describe(EdgeCertificate source) => source.HostNames.Length == 0 ? "default" : string.Join(", ", source.HostNames);

    public void Dispose()
    {
        _periodicCheck.Dispose();
        foreach (var watch in _watches) watch.Dispose();
    }

    private sealed record Version(SslStreamCertificateContext Context, byte[] Fingerprint);

    private sealed class LoadedCertificate(int index, EdgeCertificate source, Version current)
    {
        public int Index { get; } = index;
        public EdgeCertificate Source { get; } = source;
        public volatile Version Current = current;
    }
}
