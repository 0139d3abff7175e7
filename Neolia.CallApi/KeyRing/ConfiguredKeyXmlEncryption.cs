using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.KeyRing;

/// <summary>
/// Encrypts each Data Protection key with AES-256-GCM under <see cref="KeyRingOptions.KeyEncryptionKey"/> before it is
/// stored; the key's name is bound in as associated data, so a key encrypted under another key-encryption key fails
/// to decrypt loudly instead of yielding garbage.
/// </summary>
internal sealed class ConfiguredKeyXmlEncryptor(byte[] key, string keyId) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key, tag.Length)) aes.Encrypt(nonce, plaintext, ciphertext, tag, Encoding.UTF8.GetBytes(keyId));
        var element = new XElement("encryptedKey",
            new XAttribute("keyEncryptionKeyId", keyId),
            new XComment(" This key is encrypted with AES-256-GCM under the configured DataProtection:KeyEncryptionKey. "),
            new XElement("value", Convert.ToBase64String([.. nonce, .. tag, .. ciphertext])));
        return new EncryptedXmlInfo(element, typeof(ConfiguredKeyXmlDecryptor));
    }
}

/// <summary>The other half of <see cref="ConfiguredKeyXmlEncryptor"/>; Data Protection creates it through its service provider.</summary>
internal sealed class ConfiguredKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var options = services.GetRequiredService<IOptions<KeyRingOptions>>().Value;
        var keyId = (string?)encryptedElement.Attribute("keyEncryptionKeyId") ?? "";
        if (options.KeyBytes is not { } key || keyId != options.KeyEncryptionKeyId)
        {
            throw new CryptographicException($"The key ring entry was encrypted with key-encryption key '{keyId}', but the configured one is '{options.KeyEncryptionKeyId}'.");
        }
        var blob = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        var plaintext = new byte[blob.Length - nonceSize - tagSize];
        using (var aes = new AesGcm(key, tagSize))
        {
            aes.Decrypt(blob.AsSpan(0, nonceSize), blob.AsSpan(nonceSize + tagSize), blob.AsSpan(nonceSize, tagSize), plaintext, Encoding.UTF8.GetBytes(keyId));
        }
        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
