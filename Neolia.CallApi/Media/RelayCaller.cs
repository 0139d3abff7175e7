using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.Contracts;

namespace Neolia.CallApi.Media;

/// <summary>
/// Which relay is asking, and so which calls it may see: a stack relay (private network, shared secret) serves the
/// doors of every site without a relay box; a site relay (through the gateway, its site's credential) only its site's.
/// </summary>
public sealed record RelayCaller(Guid? SiteId)
{
    public static readonly RelayCaller Stack = new((Guid?)null);

    public static bool IsStackRelay(HttpContext context, IOptions<MediaOptions> options) =>
        options.Value.RelaySecret is { } secret
        && context.Request.Headers[MediaRelayApi.StackSecretHeader].ToString() is { Length: > 0 } sent
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(secret));

    public static async Task<RelayCaller?> SiteRelayAsync(HttpContext context, NeoliaDb db)
    {
        var header = context.Request.Headers[MediaRelayApi.SiteCredentialHeader].ToString();
        var colon = header.IndexOf(':');
        if (colon < 0 || !Guid.TryParse(header.AsSpan(0, colon), out var siteId)) return null;
        db.TenantScope = TenantScope.All;
        var stored = await db.Set<SiteRelay>().Where(r => r.SiteId == siteId).Select(r => r.CredentialHash)
            .SingleOrDefaultAsync(context.RequestAborted);
        var sent = SHA256.HashData(Encoding.UTF8.GetBytes(header[(colon + 1)..]));
        return stored is not null && CryptographicOperations.FixedTimeEquals(stored, sent) ? new RelayCaller(siteId) : null;
    }

    /// <summary>A new site credential (shown once) and what is stored of it.</summary>
    public static (string Credential, byte[] Hash) NewSiteCredential()
    {
        var credential = "nsr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return (credential, SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
    }
}
