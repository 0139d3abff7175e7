using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Neolia.Gateway.Connections;

/// <summary>
/// TCP keep-alive on every connection the gateway accepts. An app's socket is idle for hours; the kernel keeps its NAT
/// mapping fresh and finds a phone that vanished, at no CPU cost to the gateway or the Notifier (a WebSocket ping per
/// socket costs both processes a timer callback, a frame and a thread-pool wake-up: bench/RESULTS.md).
/// </summary>
public static class ClientConnectionsFeature
{
    // Linux's TCP_USER_TIMEOUT (linux/tcp.h), which .NET has no name for.
    private const int TcpUserTimeout = 18;

    public static IHostApplicationBuilder AddClientConnections(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ClientConnectionOptions>(ClientConnectionOptions.Section);
        builder.Services.AddOptions<SocketTransportOptions>().Configure<IOptions<ClientConnectionOptions>>((transport, options) =>
            transport.CreateBoundListenSocket = endpoint => CreateListenSocket(endpoint, options.Value));
        return builder;
    }

    /// <summary>Accepted connections inherit the listening socket's keep-alive settings (Linux copies them on accept).</summary>
    private static Socket CreateListenSocket(EndPoint endpoint, ClientConnectionOptions options)
    {
        var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
        if (endpoint is not IPEndPoint) return socket;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)options.KeepAliveIdle.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, (int)options.KeepAliveInterval.TotalSeconds);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, options.KeepAliveProbes);
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption((int)SocketOptionLevel.Tcp, TcpUserTimeout, BitConverter.GetBytes((int)options.DeadAfter.TotalMilliseconds));
        }
        return socket;
    }
}
