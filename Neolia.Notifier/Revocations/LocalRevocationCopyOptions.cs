using System.ComponentModel.DataAnnotations;

namespace Neolia.Notifier.Revocations;

/// <summary>The replica's own copy of the token revocations, used while Redis cannot answer (section <c>Revocations</c>).</summary>
public sealed class LocalRevocationCopyOptions
{
    public const string Section = "Revocations";

    /// <summary>How often the whole copy is read again from Redis (revocation messages update it in between).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Revocations:ReloadInterval must be between 1 s and 10 min.")]
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How old the last complete read may be for the copy to still answer; past it, tokens are refused until Redis is
    /// back. A revocation made during the outage is missing from the copy, so this bounds how long that can matter
    /// (docs/security.md). The default is the access tokens' lifetime.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00", ErrorMessage = "Revocations:LocalCopyMaxAge must be between 5 s and 1 day.")]
    public TimeSpan LocalCopyMaxAge { get; set; } = TimeSpan.FromMinutes(15);
}
