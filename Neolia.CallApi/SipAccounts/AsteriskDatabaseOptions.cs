using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// The PostgreSQL role Asterisk connects with (section <c>Asterisk:Realtime</c>). CallApi creates it at start and
/// lets it read the SIP account tables and write registrations, nothing else. Without a password no role is made
/// (a stack without Asterisk); Asterisk's side is containers/asterisk/res_pgsql.conf with PGPASSWORD.
/// </summary>
public sealed class AsteriskDatabaseOptions
{
    public const string Section = "Asterisk:Realtime";

    [RegularExpression("^[a-z_][a-z0-9_]{0,62}$", ErrorMessage = "Asterisk:Realtime:Role must be a lowercase PostgreSQL identifier (a-z, 0-9, _; at most 63).")]
    public string Role { get; set; } = "asterisk";

    /// <summary>Secret; the same value goes to Asterisk as PGPASSWORD.</summary>
    [MinLength(16, ErrorMessage = "Asterisk:Realtime:Password must be at least 16 characters.")]
    public string? Password { get; set; }

    /// <summary>
    /// How often CallApi checks that every connected Asterisk reads from the primary (<see cref="RealtimeOnPrimary"/>);
    /// an Asterisk is told to reconnect at most once per four checks.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.2", "01:00:00", ErrorMessage = "Asterisk:Realtime:PrimaryCheckInterval must be between 0.2 s and 1 h.")]
    public TimeSpan PrimaryCheckInterval { get; set; } = TimeSpan.FromSeconds(15);
}
