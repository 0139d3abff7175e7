using System.ComponentModel.DataAnnotations;

namespace Neolia.ServiceDefaults.Authentication;

/// <summary>
/// The resident and admin access tokens: CallApi signs them, CallApi and the Notifier validate them.
/// Bound from the <c>Jwt</c> section (environment <c>Jwt__SigningKey</c> …).
/// </summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";

    [Required(ErrorMessage = "Jwt:Issuer is required.")]
    public string Issuer { get; set; } = "neolia";

    [Required(ErrorMessage = "Jwt:Audience is required.")]
    public string Audience { get; set; } = "neolia-app";

    /// <summary>HMAC-SHA256 key; a secret, at least 32 characters (256 bits).</summary>
    [Required(ErrorMessage = "Jwt:SigningKey is required (a secret of at least 32 characters).")]
    [MinLength(32, ErrorMessage = "Jwt:SigningKey must be at least 32 characters.")]
    public string SigningKey { get; set; } = "";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Jwt:AccessTokenLifetime must be between 1 minute and 1 day.")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
