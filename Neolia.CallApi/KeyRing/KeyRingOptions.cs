using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.KeyRing;

/// <summary>
/// How the Data Protection key ring (which encrypts the door cameras' credentials) is protected at rest in PostgreSQL
/// (section <c>DataProtection</c>). The key-encryption key comes from configuration (a secret), never the database, so
/// a copy of the database alone decrypts nothing.
/// </summary>
public sealed class KeyRingOptions : IValidatableObject
{
    public const string Section = "DataProtection";

    /// <summary>
    /// AES-256 key-encryption key, base64 of 32 random bytes (<c>openssl rand -base64 32</c>). Required outside
    /// Development; in Development without it the key ring is stored unencrypted (logged at start).
    /// </summary>
    public string? KeyEncryptionKey { get; set; }

    /// <summary>The key-encryption key's name, written beside every key it encrypts, so a rotation can tell them apart.</summary>
    [Required(ErrorMessage = "DataProtection:KeyEncryptionKeyId is required.")]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "DataProtection:KeyEncryptionKeyId must be 1-64 letters, digits, '.', '_' or '-'.")]
    public string KeyEncryptionKeyId { get; set; } = "primary";

    /// <summary>Set from the host environment: whether a missing key is allowed.</summary>
    internal bool KeyRequired { get; set; } = true;

    internal byte[]? KeyBytes => KeyEncryptionKey is { Length: > 0 } k && TryDecode(k, out var bytes) ? bytes : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(KeyEncryptionKey))
        {
            if (KeyRequired) yield return new ValidationResult("DataProtection:KeyEncryptionKey is required (base64 of 32 random bytes) outside Development.");
        }
        else if (!TryDecode(KeyEncryptionKey, out _))
        {
            yield return new ValidationResult("DataProtection:KeyEncryptionKey must be base64 of exactly 32 bytes (openssl rand -base64 32).");
        }
    }

    private static bool TryDecode(string value, out byte[] bytes)
    {
        bytes = new byte[32];
        return Convert.TryFromBase64String(value, bytes, out var written) && written == 32;
    }
}
