using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Neolia.AppHost;

// The whole Neolia stack. F5 / `aspire run` runs it (projects on the host, the rest in containers);
// `aspire publish` writes a Docker Compose file from the same model (docs/apphost.md).
var builder = DistributedApplication.CreateBuilder(args);
var isRun = builder.ExecutionContext.IsRunMode;

// ---------------------------------------------------------------------------------------------------------------
// Secrets: parameters read from configuration (user secrets: Parameters:<name>), never from committed files.
// ---------------------------------------------------------------------------------------------------------------
var liveKitApiKey = builder.AddParameter("livekit-api-key", secret: true)
    .WithDescription("LiveKit API key (the name of the key pair; CallApi signs tokens with it).");
var liveKitApiSecret = builder.AddParameter("livekit-api-secret", secret: true)
    .WithDescription("LiveKit API secret, at least 32 characters.");
var webhookSecret = builder.AddParameter("asterisk-webhook-secret", secret: true)
    .WithDescription("Shared secret the dialplan sends to CallApi in X-Neolia-Webhook-Secret, at least 16 characters.");
var jwtSigningKey = builder.AddParameter("jwt-signing-key", secret: true)
    .WithDescription("Key that signs the apps' access tokens (CallApi issues them, Notifier checks them).");
var postgresPassword = builder.AddParameter("postgres-password", secret: true)
    .WithDescription("Password of the PostgreSQL superuser.");
var demoSipPassword = builder.AddParameter("demo-sip-password", secret: true)
    .WithDescription("SIP password of the demo accounts of containers/asterisk/pjsip.conf (demo-door-1, demo-alice, …).");

// ---------------------------------------------------------------------------------------------------------------
// Infrastructure
// ---------------------------------------------------------------------------------------------------------------
builder.AddDockerComposeEnvironment("compose");

var postgres = builder.AddPostgres("postgres", password: postgresPassword)
    .WithDataVolume();
var database = postgres.AddDatabase("neolia");

var redis = builder.AddRedis("redis");

var ports = NeoliaPorts.From(builder.Configuration);

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
    .WithEnvironment("LIVEKIT_KEYS", $"{liveKitApiKey}: {liveKitApiSecret}")
    .WithEnvironment("LIVEKIT_WEBHOOK_API_KEY", liveKitApiKey)
    .WithEnvironment("REDIS_HOST", $"{redis.Resource.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}")
    .WithEnvironment(context =>
    {
        if (redis.Resource.PasswordParameter is { } redisPassword) context.EnvironmentVariables["REDIS_PASSWORD"] = redisPassword;
    })
    .WithHttpHealthCheck("/", endpointName: "http")
    .WaitFor(redis);
liveKit.PublishAsDockerComposeService((_, service) => ComposePorts.RestoreUdp(liveKit.Resource, service));

// ---------------------------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------------------------
var callApi = builder.AddProject<Projects.Neolia_CallApi>("callapi")
    .WithReference(database).WaitFor(database)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithEnvironment("LiveKit__ApiKey", liveKitApiKey)
    .WithEnvironment("LiveKit__ApiSecret", liveKitApiSecret)
    .WithEnvironment("LiveKit__ApiUrl", liveKit.GetEndpoint("http"))
    .WithEnvironment("Asterisk__WebhookSecret", webhookSecret)
    .WithHttpHealthCheck("/health");

if (isRun)
{
    // The development seed (tenant demo, alice/bob/carol…) only for a developer's stack, never in a published one.
    var demoPassword = builder.AddParameter("demo-password", secret: true)
        .WithDescription("Password of every demo account of the development seed (alice@demo.neolia.test, …), at least 10 characters.");
    callApi
        .WithEnvironment("Seed__Enabled", "true")
        .WithEnvironment("Seed__DemoPassword", demoPassword);
}

var notifier = builder.AddProject<Projects.Neolia_Notifier>("notifier")
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithHttpHealthCheck("/health");

// Push notifications are optional. A declared parameter must get a value (the dashboard prompts for it and holds the
// notifier back; a test or a run without the dashboard fails), so the push parameters are declared only when their
// configuration key is set (user secrets Parameters:push-…). Without them the Notifier logs once that push is
// disabled and calls still ring over WebSocket. A partial APNs set declares the whole set, so the missing ones are
// asked for by name.
bool IsConfigured(string parameter) => !string.IsNullOrWhiteSpace(builder.Configuration[$"Parameters:{parameter}"]);

if (IsConfigured("push-fcm-service-account"))
{
    var fcmServiceAccount = builder.AddParameter("push-fcm-service-account", secret: true)
        .WithDescription("The JSON of a Firebase service-account key (FCM HTTP v1); project id and token URI are read from it.");
    notifier.WithEnvironment("Push__Fcm__ServiceAccountJson", fcmServiceAccount);
}

string[] apnsParameters = ["push-apns-team-id", "push-apns-key-id", "push-apns-private-key", "push-apns-bundle-id"];
if (apnsParameters.Any(IsConfigured))
{
    var apnsTeamId = builder.AddParameter("push-apns-team-id")
        .WithDescription("Apple developer team id (10 characters).");
    var apnsKeyId = builder.AddParameter("push-apns-key-id")
        .WithDescription("Id of the APNs auth key (.p8).");
    var apnsPrivateKey = builder.AddParameter("push-apns-private-key", secret: true)
        .WithDescription("The APNs auth key's PEM text (the whole .p8 file).");
    var apnsBundleId = builder.AddParameter("push-apns-bundle-id")
        .WithDescription("The iOS app's bundle id; VoIP pushes go to <bundle id>.voip.");
    notifier
        .WithEnvironment("Push__Apns__TeamId", apnsTeamId)
        .WithEnvironment("Push__Apns__KeyId", apnsKeyId)
        .WithEnvironment("Push__Apns__PrivateKey", apnsPrivateKey)
        .WithEnvironment("Push__Apns__BundleId", apnsBundleId);
    if (IsConfigured("push-apns-environment"))
    {
        var apnsEnvironment = builder.AddParameter("push-apns-environment")
            .WithDescription("sandbox (development builds) or production (TestFlight, App Store; the default).");
        notifier.WithEnvironment("Push__Apns__Environment", apnsEnvironment);
    }
}

// Asterisk: SIP for the doors (UDP and TCP 5060), SIP over WebSocket for the apps (8088/ws, through the gateway's
// /sip), RTP 10000-10099 (containers/asterisk/rtp.conf). It reaches CallApi through NEOLIA_CALLAPI_URL; it does
// not wait for CallApi, since the dialplan rings the apartment directly when CallApi is down.
var asterisk = builder.AddContainer("asterisk", "andrius/asterisk", "22")
    .WithBindMount("../containers/asterisk", "/etc/asterisk", isReadOnly: true)
    .WithHttpEndpoint(targetPort: 8088, name: "http")
    .WithEndpoint(port: ports.Sip, targetPort: 5060, name: "sip-udp", scheme: "udp",
        isProxied: false, isExternal: true, protocol: ProtocolType.Udp)
    .WithEndpoint(port: ports.Sip, targetPort: 5060, name: "sip-tcp", scheme: "tcp",
        isProxied: false, isExternal: true, protocol: ProtocolType.Tcp)
    .WithEnvironment("NEOLIA_CALLAPI_URL", callApi.GetEndpoint("http"))
    .WithEnvironment("NEOLIA_WEBHOOK_SECRET", webhookSecret)
    .WithEnvironment("NEOLIA_DEMO_SIP_PASSWORD", demoSipPassword)
    .WithHttpHealthCheck("/httpstatus", endpointName: "http");
asterisk.PublishAsDockerComposeService((_, service) =>
{
    ComposePorts.RestoreUdp(asterisk.Resource, service);
    service.Ports.Add(NeoliaPorts.RtpRangeMapping);
});

if (isRun && ports.PublishRtpRange)
{
    // A range of ports is not an Aspire endpoint: hand it to the container runtime (docker run -p). The compose
    // file gets the same mapping from PublishAsDockerComposeService above.
    asterisk.WithContainerRuntimeArgs("-p", NeoliaPorts.RtpRangeMapping);
}

// The single public entry: /api → CallApi, /ws → Notifier, /rtc → LiveKit, /sip → Asterisk /ws.
var gateway = builder.AddProject<Projects.Neolia_Gateway>("gateway")
    .WithReference(callApi).WaitFor(callApi)
    .WithReference(notifier).WaitFor(notifier)
    .WithReference(liveKit.GetEndpoint("http"))
    .WithReference(asterisk.GetEndpoint("http"))
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

// What apps connect to for LiveKit: the gateway, with the WebSocket scheme. Published, that is the public address
// operators give (parameter livekit-public-url, e.g. wss://intercom.example.com), not a container name.
if (isRun)
{
    callApi.WithEnvironment("LiveKit__Url", ReferenceExpression.Create($"ws://{gateway.GetEndpoint("http").Property(EndpointProperty.HostAndPort)}"));
}
else
{
    var publicLiveKitUrl = builder.AddParameter("livekit-public-url")
        .WithDescription("The ws:// or wss:// address apps use to reach LiveKit through the gateway, e.g. wss://intercom.example.com.");
    callApi.WithEnvironment("LiveKit__Url", publicLiveKitUrl);
}

builder.Build().Run();
