using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.Calls;

/// <summary>How calls ring (section <c>Calls</c>).</summary>
public sealed class CallOptions
{
    public const string Section = "Calls";

    /// <summary>How long a door rings before the call is missed; Asterisk dials for this long.</summary>
    [Range(5, 300, ErrorMessage = "Calls:RingTimeoutSeconds must be between 5 and 300.")]
    public int RingTimeoutSeconds { get; set; } = 30;

    public TimeSpan RingTimeout => TimeSpan.FromSeconds(RingTimeoutSeconds);
}
