using System.Net;
using System.Net.Sockets;

namespace Neolia.DevStack;

public static class FreePort
{
    /// <summary>A loopback port free right now (the OS picks it), so parallel stacks never collide on fixed ports.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
