using System.Text.Json;
using Neolia.DevStack;
using Neolia.Notifier.Sockets;

namespace Neolia.Tests.Configuration;

/// <summary>The Notifier's keep-alive and the gateway's idle cut-off are set in two services: they must agree.</summary>
public sealed class KeepAliveConsistencyTests
{
    [Fact]
    public void The_gateway_does_not_cut_a_socket_between_two_keep_alive_frames()
    {
        // YARP cancels a proxied socket on which nothing moved for its ActivityTimeout (100 s unless the cluster says
        // otherwise): with keep-alive frames rarer than that, every idle app would be disconnected.
        using var gateway = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "Neolia.Gateway", "appsettings.json")));
        var activityTimeout = TimeSpan.Parse(gateway.RootElement.GetProperty("ReverseProxy").GetProperty("Clusters")
            .GetProperty("notifier").GetProperty("HttpRequest").GetProperty("ActivityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(new SocketOptions().KeepAliveInterval * 2 <= activityTimeout,
            $"Sockets:KeepAliveInterval {new SocketOptions().KeepAliveInterval} leaves no margin under the gateway's ActivityTimeout {activityTimeout}");
    }
}
