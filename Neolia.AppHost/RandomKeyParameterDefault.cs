using System.Security.Cryptography;
using Aspire.Hosting.Publishing;

namespace Neolia.AppHost;

/// <summary>
/// A generated key of <paramref name="bytes"/> random bytes, base64-encoded (what an AES key setting takes). Aspire's
/// own generator makes passwords from character classes, which do not decode to a key.
/// </summary>
public sealed class RandomKeyParameterDefault(int bytes) : ParameterDefault
{
    public override string GetDefaultValue() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));

    // Published deployments are given their key by the operator: nothing is generated into the manifest.
    public override void WriteToManifest(ManifestPublishingContext context) { }
}
