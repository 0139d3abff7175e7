using System.ComponentModel.DataAnnotations;

namespace Neolia.Notifier.Push;

/// <summary>
/// Push notification credentials (section <c>Push</c>). Optional: with neither FCM nor APNs configured, push is
/// disabled (logged once at start) and everything else works. A provider that is configured is validated at start.
/// </summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    public FcmOptions Fcm { get; set; } = new();
    public ApnsOptions Apns { get; set; } = new();

    /// <summary>Lifetime of a cancel push when the event carries no expiry (a ring's lifetime is its call's <c>expiresAt</c>).</summary>
    [Range(5, 300, ErrorMessage = "Push:RingTimeoutSeconds must be between 5 and 300.")]
    public int RingTimeoutSeconds { get; set; } = 30;

    /// <summary>How long one HTTP request to Google or Apple may take.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Push:RequestTimeout must be between 1 second and 1 minute.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Name of this replica in the consumer group; default machine name and process id.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>How long an event may stay unacknowledged with a replica before another claims it (the replica died).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Push:ClaimIdle must be between 1 second and 5 minutes.")]
    public TimeSpan ClaimIdle { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A consumer of the push group with nothing pending that has not read for this long (a replica that is gone) is deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "7.00:00:00", ErrorMessage = "Push:ForgetConsumersAfter must be between 5 seconds and 7 days.")]
    public TimeSpan ForgetConsumersAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts per push before it is recorded as failed.</summary>
    [Range(1, 10, ErrorMessage = "Push:MaxAttempts must be between 1 and 10.")]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>First retry delay; doubled on every further attempt (with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30", ErrorMessage = "Push:RetryBaseDelay must be between 10 ms and 30 s.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public bool IsEnabled => Fcm.IsConfigured || Apns.IsConfigured;
}

public sealed class FcmOptions
{
    /// <summary>
    /// The Google service-account key file's JSON (a secret: user secrets, environment, AppHost parameter). The
    /// project id, client e-mail, private key and token URI are read from it.
    /// </summary>
    public string? ServiceAccountJson { get; set; }

    /// <summary>FCM HTTP v1 endpoint root; overridable so tests can point at a stand-in.</summary>
    public string BaseUrl { get; set; } = "https://fcm.googleapis.com";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ServiceAccountJson);
}

public sealed class ApnsOptions
{
    public const string Sandbox = "sandbox";
    public const string Production = "production";

    /// <summary>Apple developer team id (10 characters): the provider token's <c>iss</c>.</summary>
    public string? TeamId { get; set; }

    /// <summary>Id of the APNs auth key (.p8): the provider token's <c>kid</c>.</summary>
    public string? KeyId { get; set; }

    /// <summary>The .p8 key's PEM text (a secret).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The app's bundle id; VoIP pushes go to <c>{BundleId}.voip</c>.</summary>
    public string? BundleId { get; set; }

    /// <summary><c>sandbox</c> (development builds) or <c>production</c> (TestFlight, App Store).</summary>
    public string Environment { get; set; } = Production;

    /// <summary>Overrides the host chosen by <see cref="Environment"/> (tests).</summary>
    public string? BaseUrl { get; set; }

    /// <summary>How long a provider token is reused: Apple refuses refreshes more often than every 20 minutes and tokens older than 60.</summary>
    public TimeSpan ProviderTokenLifetime { get; set; } = TimeSpan.FromMinutes(50);

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(TeamId) || !string.IsNullOrWhiteSpace(KeyId) ||
        !string.IsNullOrWhiteSpace(PrivateKey) || !string.IsNullOrWhiteSpace(BundleId);

    public Uri ResolveBaseUrl() => new(!string.IsNullOrWhiteSpace(BaseUrl) ? BaseUrl
        : string.Equals(Environment, Sandbox, StringComparison.OrdinalIgnoreCase) ? "https://api.sandbox.push.apple.com"
        : "https://api.push.apple.com");
}
