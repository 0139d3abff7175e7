using System.ComponentModel.DataAnnotations;

namespace Neolia.Notifier.Sockets;

/// <summary>How resident sockets are kept (section <c>Sockets</c>).</summary>
public sealed class SocketOptions
{
    public const string Section = "Sockets";

    /// <summary>Messages queued for one socket before it counts as not reading and is dropped.</summary>
    [Range(4, 4096, ErrorMessage = "Sockets:SendQueueCapacity must be between 4 and 4096.")]
    public int SendQueueCapacity { get; set; } = 32;

    /// <summary>How often the server pings an idle socket (keeps NATs and proxies from closing it).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Sockets:KeepAliveInterval must be between 1 s and 10 min.")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a ping may go unanswered before the socket is closed as dead.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Sockets:KeepAliveTimeout must be between 1 s and 10 min.")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one send may take before the client is considered stuck and dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Sockets:SendTimeout must be between 1 s and 1 min.")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
