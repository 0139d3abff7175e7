using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.SipAccounts;

/// <summary>The SIP digest realm of Asterisk's PJSIP endpoints (<c>Asterisk:SipRealm</c>).</summary>
public sealed class SipRealmOptions
{
    public const string Section = "Asterisk";

    /// <summary>The realm device passwords are stored for, as md5(user:realm:password).</summary>
    [Required(ErrorMessage = "Asterisk:SipRealm is required (the realm Asterisk's PJSIP endpoints authenticate in).")]
    [MaxLength(100, ErrorMessage = "Asterisk:SipRealm must be at most 100 characters.")]
    public string SipRealm { get; set; } = "asterisk";
}
