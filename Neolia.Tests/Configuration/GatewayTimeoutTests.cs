using System.Globalization;
using System.Text.Json;
using Neolia.CallApi.CallControl;
using Neolia.DevStack;

namespace Neolia.Tests.Configuration;

/// <summary>The gateway's patience with a call command and CallApi's with Asterisk are set in two services: they must agree.</summary>
public sealed class GatewayTimeoutTests
{
    [Fact]
    public void The_gateway_waits_for_a_call_command_longer_than_CallApi_waits_for_Asterisk()
    {
        // An open-door on a slow Asterisk must end in CallApi's own answer (dtmf_failed), not in the gateway's 504
        // while the code may still be sent.
        using var gateway = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "Neolia.Gateway", "appsettings.json")));
        var proxy = gateway.RootElement.GetProperty("ReverseProxy");
        var route = proxy.GetProperty("Routes").GetProperty("call-commands");
        Assert.Equal("/api/calls/{id}/{command}", route.GetProperty("Match").GetProperty("Path").GetString());
        var cluster = proxy.GetProperty("Clusters").GetProperty(route.GetProperty("ClusterId").GetString()!);
        var timeout = TimeSpan.Parse(cluster.GetProperty("HttpRequest").GetProperty("ActivityTimeout").GetString()!, CultureInfo.InvariantCulture);

        Assert.True(timeout >= AriClient.RequestTimeout + TimeSpan.FromSeconds(2),
            $"the gateway gives a call command up after {timeout}, CallApi waits up to {AriClient.RequestTimeout} for one ARI request");
    }
}
