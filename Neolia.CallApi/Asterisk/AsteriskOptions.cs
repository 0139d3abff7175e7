using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.Asterisk;

/// <summary>The Asterisk side of the door calls (section <c>Asterisk</c>).</summary>
public sealed class AsteriskOptions
{
    public const string Section = "Asterisk";

    /// <summary>Shared secret the dialplan sends in <c>X-Neolia-Webhook-Secret</c>.</summary>
    [Required(ErrorMessage = "Asterisk:WebhookSecret is required (the secret the dialplan sends in X-Neolia-Webhook-Secret).")]
    [MinLength(16, ErrorMessage = "Asterisk:WebhookSecret must be at least 16 characters.")]
    public string WebhookSecret { get; set; } = "";

    /// <summary>The SIP digest realm of Asterisk's endpoints; device passwords are stored as md5(user:realm:password).</summary>
    [Required(ErrorMessage = "Asterisk:SipRealm is required (the realm Asterisk's PJSIP endpoints authenticate in).")]
    [MaxLength(100, ErrorMessage = "Asterisk:SipRealm must be at most 100 characters.")]
    public string SipRealm { get; set; } = "asterisk";
}
