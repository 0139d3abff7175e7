using System.ComponentModel.DataAnnotations;

namespace Neolia.Gateway.Connections;

/// <summary>How the gateway keeps the apps' TCP connections (section <c>ClientConnections</c>).</summary>
public sealed class ClientConnectionOptions : IValidatableObject
{
    public const string Section = "ClientConnections";

    /// <summary>Silence after which the kernel starts probing a connection (TCP keep-alive; also refreshes NAT mappings).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "02:00:00", ErrorMessage = "ClientConnections:KeepAliveIdle must be between 1 s and 2 h.")]
    public TimeSpan KeepAliveIdle { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time between two unanswered probes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "ClientConnections:KeepAliveInterval must be between 1 s and 10 min.")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Unanswered probes after which the connection is dropped as dead.</summary>
    [Range(1, 20, ErrorMessage = "ClientConnections:KeepAliveProbes must be between 1 and 20.")]
    public int KeepAliveProbes { get; set; } = 4;

    /// <summary>
    /// How long a connection is kept once the app stopped acknowledging what is sent to it (the probes are not sent
    /// while data waits for an acknowledgement): the same bound as the probes, so a phone that vanished is let go within
    /// <c>KeepAliveIdle + KeepAliveProbes × KeepAliveInterval</c> either way.
    /// </summary>
    public TimeSpan DeadAfter => KeepAliveIdle + KeepAliveProbes * KeepAliveInterval;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KeepAliveIdle.TotalSeconds % 1 != 0 || KeepAliveInterval.TotalSeconds % 1 != 0)
        {
            yield return new ValidationResult("ClientConnections:KeepAliveIdle and KeepAliveInterval are whole seconds (the kernel's unit).");
        }
    }
}
