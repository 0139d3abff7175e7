#if NEOLIA_COMPOSE
using System.Net.Sockets;
using Aspire.Hosting.Docker.Resources.ComposeNodes;

namespace Neolia.AppHost;

/// <summary>
/// The compose publisher writes every external endpoint as <c>"host:container"</c> and drops its protocol, so a UDP
/// endpoint would be published as TCP. This puts the <c>/udp</c> back (keeping the TCP mapping when a TCP endpoint
/// shares the same ports, as SIP does on 5060).
/// </summary>
public static class ComposePorts
{
    public static void RestoreUdp(IResource resource, Service service)
    {
        var external = resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.IsExternal).ToList();
        foreach (var udp in external.Where(e => e.Protocol == ProtocolType.Udp))
        {
            var mapping = udp.Port is int port ? $"{port}:{udp.TargetPort}" : $"{udp.TargetPort}";
            var sharedWithTcp = external.Any(e => e.Protocol == ProtocolType.Tcp && e.Port == udp.Port && e.TargetPort == udp.TargetPort);
            if (!sharedWithTcp) service.Ports.Remove(mapping);
            if (!service.Ports.Contains($"{mapping}/udp")) service.Ports.Add($"{mapping}/udp");
        }
    }
}
#endif
