using System.Net.Sockets;

namespace Neolia.AppHost;

/// <summary>Asterisk and LiveKit, which exist only as containers (infrastructure mode <c>containers</c> and publishing).</summary>
public sealed record ContainerInfrastructure(IResourceBuilder<ContainerResource> LiveKit, IResourceBuilder<ContainerResource> Asterisk)
{
    public static ContainerInfrastructure Add(IDistributedApplicationBuilder builder, NeoliaPorts ports,
        IResourceBuilder<ParameterResource> liveKitApiKey, IResourceBuilder<ParameterResource> liveKitApiSecret,
        IResourceBuilder<IResourceWithConnectionString> redis)
    {
        var redisServer = (RedisResource)redis.Resource;

        // LiveKit: signalling on 7880 (reached by apps through the gateway's /rtc), media on one UDP port plus a TCP
        // fallback, so no UDP range is published. Keys and Redis come from the environment, not from livekit.yaml.
        var liveKit = builder.AddContainer("livekit", "livekit/livekit-server", "v1.9.8")
            .WithBindMount("../containers/livekit/livekit.yaml", "/etc/livekit.yaml", isReadOnly: true)
            .WithArgs("--config", "/etc/livekit.yaml")
            .WithHttpEndpoint(targetPort: 7880, name: "http")
            .WithEndpoint(port: ports.LiveKitRtcTcp, targetPort: 7881, name: "rtc-tcp", scheme: "tcp",
                isProxied: false, isExternal: true, protocol: ProtocolType.Tcp)
            .WithEndpoint(port: ports.LiveKitRtcUdp, targetPort: 7882, name: "rtc-udp", scheme: "udp",
                isProxied: false, isExternal: true, protocol: ProtocolType.Udp)
            .WithEnvironment("LIVEKIT_KEYS", ReferenceExpression.Create($"{liveKitApiKey}: {liveKitApiSecret}"))
            .WithEnvironment("LIVEKIT_WEBHOOK_API_KEY", liveKitApiKey)
            .WithEnvironment("REDIS_HOST", ReferenceExpression.Create($"{redisServer.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}"))
            .WithEnvironment(context =>
            {
                if (redisServer.PasswordParameter is { } redisPassword) context.EnvironmentVariables["REDIS_PASSWORD"] = redisPassword;
            })
            .WithHttpHealthCheck("/", endpointName: "http")
            .WaitFor(redis);

        // Asterisk: SIP for the doors (UDP and TCP 5060), SIP over WebSocket for the apps (8088/ws, through the
        // gateway's /sip), RTP 10000-10099 (containers/asterisk/rtp.conf). It does not wait for CallApi: the dialplan
        // rings the apartment directly when CallApi is down.
        var asterisk = builder.AddContainer("asterisk", "andrius/asterisk", "22")
            .WithBindMount("../containers/asterisk", "/etc/asterisk", isReadOnly: true)
            .WithHttpEndpoint(targetPort: 8088, name: "http")
            .WithEndpoint(port: ports.Sip, targetPort: 5060, name: "sip-udp", scheme: "udp",
                isProxied: false, isExternal: true, protocol: ProtocolType.Udp)
            .WithEndpoint(port: ports.Sip, targetPort: 5060, name: "sip-tcp", scheme: "tcp",
                isProxied: false, isExternal: true, protocol: ProtocolType.Tcp)
            .WithHttpHealthCheck("/httpstatus", endpointName: "http");

        if (builder.ExecutionContext.IsRunMode && ports.PublishRtpRange)
        {
            // A range of ports is not an Aspire endpoint: hand it to the container runtime (docker run -p). The
            // manifest cannot carry it: operators publish it themselves (docs/apphost.md).
            asterisk.WithContainerRuntimeArgs("-p", NeoliaPorts.RtpRangeMapping);
        }
#if NEOLIA_COMPOSE
        builder.AddDockerComposeEnvironment("compose");
        liveKit.PublishAsDockerComposeService((_, service) => ComposePorts.RestoreUdp(liveKit.Resource, service));
        asterisk.PublishAsDockerComposeService((_, service) =>
        {
            ComposePorts.RestoreUdp(asterisk.Resource, service);
            service.Ports.Add(NeoliaPorts.RtpRangeMapping);
        });
#endif
        return new ContainerInfrastructure(liveKit, asterisk);
    }
}
