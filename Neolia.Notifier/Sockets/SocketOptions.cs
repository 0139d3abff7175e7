using System.ComponentModel.DataAnnotations;

namespace Neolia.Notifier.Sockets;

/// <summary>How resident sockets are kept (section <c>Sockets</c>).</summary>
public sealed class SocketOptions
{
    public const string Section = "Sockets";

    /// <summary>Messages queued for one socket before it counts as not reading and is dropped.</summary>
    [Range(4, 4096, ErrorMessage = "Sockets:SendQueueCapacity must be between 4 and 4096.")]
    public int SendQueueCapacity { get; set; } = 32;

    /// <summary>
    /// How often the server sends a keep-alive frame on an idle socket (keeps NATs and proxies in front of the gateway
    /// from closing it). 30 s stays under the common 60-s idle timeouts of HTTP proxies and load balancers, and must stay
    /// under the gateway's own: it cuts a proxied socket silent for its <c>ActivityTimeout</c> (2 min for the notifier
    /// cluster, appsettings.json of Neolia.Gateway).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Sockets:KeepAliveInterval must be between 1 s and 10 min.")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Zero (the default): the keep-alive frame is an unsolicited pong, which the app does not answer, and a dead app is
    /// found by the gateway's TCP keep-alive (<c>ClientConnections</c> there), in the kernel. Otherwise the frame is a
    /// ping, and a socket whose pong does not come back within this time is closed as dead. The ping mode costs far more
    /// idle CPU: .NET checks every ping-mode socket four times per interval, on a timer of its own (bench/RESULTS.md).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Sockets:KeepAliveTimeout must be between 0 (no pong awaited) and 10 min.")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>How an app socket (resident or admin board) is accepted: this keep-alive, in .NET's terms.</summary>
    public WebSocketAcceptContext AcceptContext() => new()
    {
        KeepAliveInterval = KeepAliveInterval,
        KeepAliveTimeout = KeepAliveTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : KeepAliveTimeout,
    };

    /// <summary>How long one send may take before the client is considered stuck and dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Sockets:SendTimeout must be between 1 s and 1 min.")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
