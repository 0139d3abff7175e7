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

    /// <summary>
    /// Webhooks worked on at once. More wait in a short queue; past it they are refused at once (503), and the
    /// dialplan rings the apartment's SIP endpoints directly, well inside its 3 s budget, instead of every call timing out.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "Asterisk:MaxConcurrentWebhooks must be between 1 and 10000.")]
    public int MaxConcurrentWebhooks { get; set; } = 16;

    /// <summary>Whether CallApi warms the door webhook's path up before it takes traffic (<see cref="WebhookWarmup"/>).</summary>
    public bool WarmUpAtStart { get; set; } = true;

    /// <summary>Webhooks that may wait for a free slot before further ones are refused.</summary>
    [Range(0, 100_000, ErrorMessage = "Asterisk:WebhookQueueLimit must be between 0 and 100000.")]
    public int WebhookQueueLimit { get; set; } = 128;

    /// <summary>How long a webhook may wait for a slot before it is refused.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:03", ErrorMessage = "Asterisk:WebhookQueueTimeout must be between 10 ms and 3 s.")]
    public TimeSpan WebhookQueueTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a webhook's database work may take before it answers 503 (the dialplan then rings SIP directly). A
    /// stopped PostgreSQL refuses connections at once; this bounds the case where it does not answer at all.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:02.500", ErrorMessage = "Asterisk:WebhookDatabaseBudget must be between 100 ms and 2.5 s.")]
    public TimeSpan WebhookDatabaseBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After repeated database failures, how long webhooks answer 503 at once before one probes the database again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:01:00", ErrorMessage = "Asterisk:WebhookCircuitBreakDuration must be between 500 ms and 1 min.")]
    public TimeSpan WebhookCircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
