using System.Net.Sockets;

namespace Neolia.AppHost;

/// <summary>Asterisk and LiveKit, which exist only as containers (infrastructure mode <c>containers</c> and publishing).</summary>
public sealed record ContainerInfrastructure(IResourceBuilder<ContainerResource> LiveKit, IResourceBuilder<ContainerResource> Asterisk,
    IResourceBuilder<ContainerResource> LiveKitSip)
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

        // LiveKit Ingress: the media relays publish the doors' video here (RTMP, WHIP); livekit.yaml's ingress section
        // names it livekit-ingress. Its Redis address and password are appended to ingress.yaml at start.
        builder.AddContainer("livekit-ingress", "livekit/ingress", "v1.5.0")
            .WithEndpoint(targetPort: 1935, name: "rtmp", scheme: "tcp")
            .WithHttpEndpoint(targetPort: 8085, name: "whip")
            .WithHttpEndpoint(targetPort: 7888, name: "health")
            .WithEnvironment("LIVEKIT_API_KEY", liveKitApiKey)
            .WithEnvironment("LIVEKIT_API_SECRET", liveKitApiSecret)
            .WithEnvironment("LIVEKIT_WS_URL", ReferenceExpression.Create($"ws://{liveKit.GetEndpoint("http").Property(EndpointProperty.HostAndPort)}"))
            .WithEnvironment("INGRESS_CONFIG_BODY", WithRedis(builder, "ingress.yaml", redisServer))
            .WithHttpHealthCheck("/", endpointName: "health")
            .WaitFor(redis).WaitFor(liveKit);

        // LiveKit SIP: after an app answered, CallApi asks it (CreateSIPParticipant) to call Asterisk and join the
        // call's room as the door (docs/call-flow.md). RTP 20000-20099/udp as sip.yaml says.
        var liveKitSip = builder.AddContainer("livekit-sip", "livekit/sip", "v1.2.0")
            .WithEnvironment("LIVEKIT_API_KEY", liveKitApiKey)
            .WithEnvironment("LIVEKIT_API_SECRET", liveKitApiSecret)
            .WithEnvironment("LIVEKIT_WS_URL", ReferenceExpression.Create($"ws://{liveKit.GetEndpoint("http").Property(EndpointProperty.HostAndPort)}"))
            .WithEnvironment("SIP_CONFIG_BODY", WithRedis(builder, "sip.yaml", redisServer))
            .WithHttpEndpoint(targetPort: 8080, name: "health")
            .WithHttpHealthCheck("/", endpointName: "health")
            .WaitFor(redis).WaitFor(liveKit);
        if (builder.ExecutionContext.IsRunMode) liveKitSip.WithContainerRuntimeArgs("-p", "20000-20099:20000-20099/udp");

        // Asterisk: SIP for the doors (UDP and TCP 5060, TLS 5061), SIP over WebSocket for the apps (8088/ws, through the
        // gateway's /sip), RTP 10000-10099 (containers/asterisk/rtp.conf). It does not wait for CallApi: the dialplan
        // rings the apartment directly when CallApi is down.
        var asterisk = builder.AddContainer("asterisk", "andrius/asterisk", "22")
            .WithBindMount("../containers/asterisk", "/etc/asterisk", isReadOnly: true)
            .WithHttpEndpoint(targetPort: 8088, name: "http")
            .WithEndpoint(port: ports.Sip, targetPort: 5060, name: "sip-udp", scheme: "udp",
                isProxied: false, isExternal: true, protocol: ProtocolType.Udp)
            .WithEndpoint(port: ports.Sip, targetPort: 5060, name: "sip-tcp", scheme: "tcp",
                isProxied: false, isExternal: true, protocol: ProtocolType.Tcp)
            // SIP over TLS (neolia-tls.sh, with the gateway's certificate): the doors set to TLS.
            .WithEndpoint(port: ports.SipTls, targetPort: 5061, name: "sip-tls", scheme: "tcp",
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
        return new ContainerInfrastructure(liveKit, asterisk, liveKitSip);
    }

    /// <summary>
    /// A LiveKit component's configuration file from <c>containers/livekit</c> with the stack's Redis appended (the
    /// components take their work from the server through it). It goes in the component's *_CONFIG_BODY variable, so
    /// the password lives only in the environment, never in a committed file.
    /// </summary>
    private static ReferenceExpression WithRedis(IDistributedApplicationBuilder builder, string file, RedisResource redis)
    {
        var yaml = File.ReadAllText(Path.Combine(builder.AppHostDirectory, "..", "containers", "livekit", file));
        // The file's own redis section (for a hand-run component) gives way to the stack's.
        yaml = System.Text.RegularExpressions.Regex.Replace(yaml, @"(?ms)^redis:\n(  .*?\n)+", "");
        var body = new ReferenceExpressionBuilder();
        // A literal of a reference expression is a composite-format string: its braces are escaped.
        body.AppendLiteral((yaml.TrimEnd() + "\nredis:\n  address: ").Replace("{", "{{").Replace("}", "}}"));
        body.AppendFormatted(redis.PrimaryEndpoint.Property(EndpointProperty.HostAndPort));
        if (redis.PasswordParameter is { } password)
        {
            body.AppendLiteral("\n  password: ");
            body.AppendFormatted(password);
        }
        body.AppendLiteral("\n");
        return body.Build();
    }
}
