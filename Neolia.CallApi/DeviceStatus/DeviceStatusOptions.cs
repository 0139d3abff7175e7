using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>Which devices are online, and the alerts when one goes offline (section <c>DeviceStatus</c>).</summary>
public sealed class DeviceStatusOptions
{
    public const string Section = "DeviceStatus";

    /// <summary>How often every replica compares the devices' registrations with the status it last recorded.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "DeviceStatus:CheckInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a device must stay offline before the "offline" alert goes out: one lost qualify or a router's reboot
    /// is shown on the board at once but does not page anybody.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "DeviceStatus:OfflineGrace must be between 0 and 1 hour.")]
    public TimeSpan OfflineGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After an "offline" alert, no other "offline" alert for the same device for this long: a flapping door is
    /// reported once per quiet period (its recovery is reported at once).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "DeviceStatus:QuietPeriod must be between 0 and 1 day.")]
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one webhook delivery may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "DeviceStatus:WebhookTimeout must be between 1 second and 1 minute.")]
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per alert before its delivery is given up (failed, visible in the delivery list).</summary>
    [Range(1, 50, ErrorMessage = "DeviceStatus:WebhookMaxAttempts must be between 1 and 50.")]
    public int WebhookMaxAttempts { get; set; } = 10;

    /// <summary>The wait after the first failed attempt; doubled after each next one, up to <see cref="WebhookMaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "DeviceStatus:WebhookRetryDelay must be between 100 ms and 1 hour.")]
    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "DeviceStatus:WebhookMaxRetryDelay must be between 1 second and 1 day.")]
    public TimeSpan WebhookMaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Accept <c>http://</c> webhook URLs. Off by default: an alert names the building and its doors, so it travels
    /// encrypted; on for development and tests, whose receivers are local.
    /// </summary>
    public bool AllowInsecureWebhooks { get; set; }
}
