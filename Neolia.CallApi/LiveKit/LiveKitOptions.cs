using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.LiveKit;

/// <summary>The LiveKit server this deployment uses (section <c>LiveKit</c>). CallApi is the only holder of the secret.</summary>
public sealed class LiveKitOptions
{
    public const string Section = "LiveKit";

    /// <summary>What apps connect to (through the gateway), e.g. <c>wss://intercom.example.com</c>; sent in <c>livekitUrl</c>.</summary>
    [Required(ErrorMessage = "LiveKit:Url is required (the ws:// or wss:// address apps connect to).")]
    [AbsoluteUri("ws", "wss", ErrorMessage = "LiveKit:Url must be an absolute ws:// or wss:// URL.")]
    public string Url { get; set; } = "";

    /// <summary>Where CallApi reaches the server API (Twirp) on the private network, e.g. <c>http://livekit:7880</c>.</summary>
    [Required(ErrorMessage = "LiveKit:ApiUrl is required (the http:// address of the LiveKit server API).")]
    [AbsoluteUri("http", "https", ErrorMessage = "LiveKit:ApiUrl must be an absolute http:// or https:// URL.")]
    public string ApiUrl { get; set; } = "";

    [Required(ErrorMessage = "LiveKit:ApiKey is required.")]
    public string ApiKey { get; set; } = "";

    /// <summary>HMAC secret shared with the LiveKit server; LiveKit itself refuses secrets under 32 characters.</summary>
    [Required(ErrorMessage = "LiveKit:ApiSecret is required.")]
    [MinLength(32, ErrorMessage = "LiveKit:ApiSecret must be at least 32 characters.")]
    public string ApiSecret { get; set; } = "";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "LiveKit:TokenLifetime must be between 1 minute and 1 day.")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
