using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// The ARI connection that lets CallApi drive door calls (section <c>CallControl</c>). Without <see cref="AriUrl"/>
/// CallApi controls no call: the dialplan's Stasis() finds no application and rings the apartment's SIP phones itself.
/// Door calls reach CallApi only this way.
/// </summary>
public sealed class CallControlOptions : IValidatableObject
{
    public const string Section = "CallControl";

    /// <summary>Asterisk's HTTP server on the private network, e.g. <c>http://asterisk:8088</c> (ARI is under <c>/ari</c>).</summary>
    public string? AriUrl { get; set; }

    /// <summary>The ARI user of ari.conf.</summary>
    public string? AriUsername { get; set; }

    /// <summary>Its password (secret: never logged).</summary>
    public string? AriPassword { get; set; }

    /// <summary>The Stasis application the dialplan hands door calls to (<c>Stasis(neolia,…)</c> in extensions.conf).</summary>
    [Required(ErrorMessage = "CallControl:StasisApplication is required.")]
    [RegularExpression("^[A-Za-z0-9_-]{1,64}$", ErrorMessage = "CallControl:StasisApplication must be letters, digits, '-' or '_'.")]
    public string StasisApplication { get; set; } = "neolia";

    /// <summary>Where LiveKit SIP reaches Asterisk (host:port): the address of the outbound trunk CallApi creates.</summary>
    public string? LiveKitTrunkAddress { get; set; }

    /// <summary>The PJSIP account LiveKit SIP authenticates with when it calls Asterisk (endpoint <c>livekit</c>).</summary>
    public string? LiveKitTrunkUsername { get; set; }

    /// <summary>Its password (secret: never logged).</summary>
    public string? LiveKitTrunkPassword { get; set; }

    /// <summary>How long to wait for LiveKit SIP's leg to reach Asterisk after an app answered, before the call fails (503).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "CallControl:LiveKitJoinTimeout must be between 1 s and 1 min.")]
    public TimeSpan LiveKitJoinTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First wait before reconnecting a lost event stream; doubled up to 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "CallControl:ReconnectDelay must be between 100 ms and 1 min.")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Door calls being set up at once (recorded, residents rung, SIP devices dialled). More wait for a slot at most
    /// <see cref="CallSetupQueueTimeout"/>, then go back to the dialplan, which rings the apartment's SIP devices itself.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "CallControl:MaxCallsInSetup must be between 1 and 10000.")]
    public int MaxCallsInSetup { get; set; } = 64;

    /// <summary>How long a door call may wait for a set-up slot (<see cref="MaxCallsInSetup"/>) before it goes to the dialplan's fallback.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05", ErrorMessage = "CallControl:CallSetupQueueTimeout must be between 0 and 5 s.")]
    public TimeSpan CallSetupQueueTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long recording a door call may take (the database) before it goes to the dialplan's fallback.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:10", ErrorMessage = "CallControl:CallSetupBudget must be between 100 ms and 10 s.")]
    public TimeSpan CallSetupBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether CallApi warms the door call's database path up before it takes traffic (<see cref="CallSetupWarmup"/>).</summary>
    public bool WarmUpAtStart { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(AriUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled) yield break;
        if (!Uri.TryCreate(AriUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            yield return new("CallControl:AriUrl must be an absolute http:// or https:// URL (Asterisk's HTTP server).", [nameof(AriUrl)]);
        if (string.IsNullOrWhiteSpace(AriUsername))
            yield return new("CallControl:AriUsername is required with CallControl:AriUrl (the user of ari.conf).", [nameof(AriUsername)]);
        if (string.IsNullOrEmpty(AriPassword) || AriPassword.Length < 16)
            yield return new("CallControl:AriPassword is required with CallControl:AriUrl and must be at least 16 characters.", [nameof(AriPassword)]);
        if (!string.IsNullOrWhiteSpace(LiveKitTrunkAddress) && (string.IsNullOrWhiteSpace(LiveKitTrunkUsername) || string.IsNullOrEmpty(LiveKitTrunkPassword) || LiveKitTrunkPassword.Length < 16))
            yield return new("CallControl:LiveKitTrunkUsername and CallControl:LiveKitTrunkPassword (at least 16 characters) are required with CallControl:LiveKitTrunkAddress.", [nameof(LiveKitTrunkPassword)]);
    }
}
