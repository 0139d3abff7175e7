using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Neolia.CallApi.SipAccounts;

namespace Neolia.CallApi.Devices;

/// <summary>A device's SIP account: a generated username and password, of which only the HA1 digest is kept.</summary>
public sealed class SipCredentials(IOptions<SipRealmOptions> asterisk)
{
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyz23456789";

    public string Realm => asterisk.Value.SipRealm;

    /// <summary>
    /// <c>{tenant}-{door|monitor|app}-{8 random}</c>: readable in Asterisk's logs, unique by chance and by the unique
    /// index (a collision is retried by the caller). At most 37 characters: Asterisk's <c>ps_auths.username</c> holds 40.
    /// </summary>
    public static string NewUsername(string tenantSlug, SipAccountKind kind) =>
        $"{tenantSlug[..Math.Min(tenantSlug.Length, 20)]}-{KindPart(kind)}-{RandomNumberGenerator.GetString(Alphabet, 8)}";

    private static string KindPart(SipAccountKind kind) => kind switch
    {
        SipAccountKind.DoorIntercom => "door",
        SipAccountKind.IndoorMonitor => "monitor",
        _ => "app",
    };

    /// <summary>24 random characters (~120 bits), typed once into the device's web page.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(Alphabet + "ABCDEFGHJKLMNPQRSTUVWXYZ", 24);

    /// <summary>
    /// md5(username:realm:password) in lowercase hex: what Asterisk's <c>auth_type=md5</c> (<c>md5_cred</c>) takes, so
    /// the password itself is stored nowhere. MD5 is what SIP digest authentication defines, not our choice.
    /// </summary>
#pragma warning disable CA5351 // SIP digest (RFC 2617/3261) is MD5 by definition.
    public string Ha1(string username, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{Realm}:{password}")));
#pragma warning restore CA5351
}
