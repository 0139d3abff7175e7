using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neolia.AppHost;
using Neolia.AppHost.LocalInfrastructure;

// The whole Neolia stack, and the one way it runs: F5 / `aspire run` / scripts/run.sh, the Aspire integration tests,
// and `--publisher manifest` for deployments (docs/apphost.md).
var builder = DistributedApplication.CreateBuilder(args);
var isRun = builder.ExecutionContext.IsRunMode;
var mode = InfrastructureModes.From(builder.Configuration, isRun);

// ---------------------------------------------------------------------------------------------------------------
// Secrets: parameters (user secrets Parameters:<name>, environment Parameters__<name>), never committed. Under
// `aspire run` a missing one is generated once and kept in the AppHost's user secrets; a published deployment
// must be given each of them.
// ---------------------------------------------------------------------------------------------------------------
IResourceBuilder<ParameterResource> Secret(string name, string description, int minLength, bool special = false) =>
    (isRun
        ? builder.AddParameter(name, new GenerateParameterDefault { MinLength = minLength, Special = special, MinLower = 1, MinUpper = 1, MinNumeric = 1 }, secret: true, persist: true)
        : builder.AddParameter(name, secret: true))
    .WithDescription(description);

var liveKitApiKey = Secret("livekit-api-key", "LiveKit API key (the name of the key pair; CallApi signs tokens with it).", 16);
var liveKitApiSecret = Secret("livekit-api-secret", "LiveKit API secret, at least 32 characters.", 48);
var jwtSigningKey = Secret("jwt-signing-key", "Key that signs the apps' access tokens (CallApi issues them, Notifier checks them), at least 32 characters.", 64);
var postgresPassword = Secret("postgres-password", "Password of the PostgreSQL superuser.", 24);
var redisPassword = Secret("redis-password", "Password of Redis.", 24);
// Encrypts CallApi's Data Protection key ring (stored in PostgreSQL): without it the device secrets cannot be read.
var keyEncryptionKey = (isRun
        ? builder.AddParameter("dataprotection-key", new RandomKeyParameterDefault(32), secret: true, persist: true)
        : builder.AddParameter("dataprotection-key", secret: true))
    .WithDescription("AES-256 key that encrypts CallApi's Data Protection key ring at rest: base64 of 32 random bytes (openssl rand -base64 32). Keep it: a new one makes stored camera credentials and door codes unreadable.");

// ---------------------------------------------------------------------------------------------------------------
// Infrastructure: containers, or the machine's own PostgreSQL and Redis (no container resource at all).
// ---------------------------------------------------------------------------------------------------------------
IResourceBuilder<IResourceWithConnectionString> database, redis;
ContainerInfrastructure? containers = null;
IResourceBuilder<ExecutableResource>? localAsterisk = null;
string[] localRealtimeReplicas = [];
var ports = NeoliaPorts.From(builder.Configuration);
var state = Path.GetFullPath(builder.Configuration["Neolia:Local:StateDirectory"] is { Length: > 0 } s ? s : Path.Combine(builder.AppHostDirectory, "..", ".devstack"));
// The certificate of the gateway's HTTPS and Asterisk's SIP over TLS (parameters when published; a generated one for run.sh).
var edgeTls = EdgeTls.From(builder, state);
if (mode == InfrastructureMode.Local)
{
    var localPostgres = builder.AddLocalPostgres("postgres", postgresPassword, Path.Combine(state, "postgres"),
        fast: builder.Configuration.GetValue("Neolia:Local:FastPostgres", false));
    database = localPostgres.AddDatabase("neolia");
    // A streaming read replica, for Asterisk to read from while the primary is down (docs/reliability.md).
    if (builder.Configuration.GetValue("Neolia:Local:PostgresReplica", false))
    {
        builder.AddLocalPostgresReplica("postgres-replica", localPostgres, postgresPassword, Path.Combine(state, "postgres-replica"), LocalPostgresReplicaHost);
        localRealtimeReplicas = [LocalPostgresReplicaHost];
    }
    redis = builder.AddLocalRedis("redis", redisPassword);
    // Asterisk where this machine has one installed; LiveKit exists only as a container.
    if (LocalAsteriskBuilderExtensions.FindAsterisk(builder.Configuration) is { } asteriskBinary)
    {
        localAsterisk = builder.AddLocalAsterisk("asterisk", asteriskBinary, state, ports.Sip, localPostgres.Resource);
    }
}
else
{
    var postgres = builder.AddPostgres("postgres", password: postgresPassword).WithDataVolume();
    database = postgres.AddDatabase("neolia");
    redis = builder.AddRedis("redis", password: redisPassword);
    containers = ContainerInfrastructure.Add(builder, ports, liveKitApiKey, liveKitApiSecret, redis);
}

// ---------------------------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------------------------
var callApi = builder.AddProject<Projects.Neolia_CallApi>("callapi")
    .WithReference(database).WaitFor(database)
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithEnvironment("LiveKit__ApiKey", liveKitApiKey)
    .WithEnvironment("LiveKit__ApiSecret", liveKitApiSecret)
    .WithEnvironment("DataProtection__KeyEncryptionKey", keyEncryptionKey)
    .WithHttpHealthCheck("/health");
// CallApi replicas take door calls with no leader: each registers its own Stasis application and claims the calls the
// dialplan broadcasts (docs/architecture.md, "Several CallApi replicas").
var callApiReplicas = builder.Configuration.GetValue("Neolia:CallApiReplicas", 1);
if (callApiReplicas < 1) throw new InvalidOperationException("Neolia:CallApiReplicas must be at least 1.");
if (callApiReplicas > 1) callApi.WithReplicas(callApiReplicas);
if (containers is not null) callApi.WithEnvironment("LiveKit__ApiUrl", containers.LiveKit.GetEndpoint("http"));
else callApi.WithEnvironment("LiveKit__ApiUrl", builder.Configuration["Neolia:Local:LiveKitApiUrl"] ?? "http://127.0.0.1:7880");

// Media relays pull the doors' RTSP video into the calls' rooms (through LiveKit Ingress) and keep a snapshot with
// each call; replicas share the calls through leases in Redis (docs/media.md).
var mediaRelaySecret = Secret("media-relay-secret", "Secret the media relays send to CallApi (X-Neolia-Relay-Secret), at least 32 characters.", 48);
callApi.WithEnvironment("Media__RelaySecret", mediaRelaySecret);
var mediaRelay = builder.AddProject<Projects.Neolia_MediaRelay>("mediarelay")
    .WithReference(redis).WaitFor(redis)
    .WithReference(callApi).WaitFor(callApi)
    .WithEnvironment("Relay__Mode", "stack")
    .WithEnvironment("Relay__Secret", mediaRelaySecret)
    .WithHttpHealthCheck("/health");
var relayReplicas = builder.Configuration.GetValue("Neolia:MediaRelayReplicas", 1);
if (relayReplicas > 1) mediaRelay.WithReplicas(relayReplicas);

// The development seed (tenant demo, alice/bob/carol…) only for a developer's stack, never in a published one.
var demoPassword = isRun ? Secret("demo-password", "Password of every demo account of the development seed (alice@demo.neolia.test, …), at least 10 characters.", 16) : null;
if (demoPassword is not null)
{
    var demoSipPassword = Secret("demo-sip-password", "SIP password of the demo accounts the seed creates (demo-door-1, demo-alice, …), at least 10 characters.", 20);
    callApi.WithEnvironment("Seed__Enabled", "true").WithEnvironment("Seed__DemoPassword", demoPassword).WithEnvironment("Seed__DemoSipPassword", demoSipPassword);
}

var notifier = builder.AddProject<Projects.Neolia_Notifier>("notifier")
    .WithReference(redis).WaitFor(redis)
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithHttpHealthCheck("/health");
notifier.WithPushCredentials(builder);
var notifierReplicas = builder.Configuration.GetValue("Neolia:NotifierReplicas", 1);
if (notifierReplicas > 1) notifier.WithReplicas(notifierReplicas);

// The building managers' console (Blazor, /admin through the gateway): it calls only the public API, through the
// gateway, so it gets no database and no secret of its own.
var adminConsole = builder.AddProject<Projects.Neolia_AdminConsole>("adminconsole")
    .WithHttpHealthCheck("/health");

// The single public entry: /api → CallApi, /ws → Notifier, /admin → the console, /rtc → LiveKit, /sip → Asterisk /ws.
var gateway = builder.AddProject<Projects.Neolia_Gateway>("gateway")
    .WithReference(callApi).WaitFor(callApi)
    .WithReference(notifier).WaitFor(notifier)
    .WithReference(adminConsole)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");
if (builder.Configuration.GetValue<int?>("Neolia:GatewayPort") is { } gatewayPort)
{
    gateway.WithEndpoint("http", endpoint => endpoint.Port = gatewayPort);
}
// With TLS the gateway's public HTTP only redirects: the console (server side, on the private network) calls the API on
// the gateway's internal plain endpoint, under the same name as before (services__gateway__http__0).
edgeTls?.ApplyTo(builder, gateway, builder.Configuration.GetValue<int?>("Neolia:GatewayHttpsPort"));
adminConsole.WithEnvironment("services__gateway__http__0", gateway.GetEndpoint(edgeTls is null ? "http" : EdgeTls.InternalEndpoint));
if (containers is not null) gateway.WithReference(containers.LiveKit.GetEndpoint("http"));
if (containers is not null)
{
    WireAsterisk(containers.Asterisk, "postgres");
    edgeTls?.ApplyTo(containers.Asterisk, 5061);
    // LiveKit SIP calls Asterisk as the PJSIP account "livekit" to bring the door into the room (pjsip.conf).
    var liveKitSipPassword = Secret("livekit-sip-password", "Password LiveKit SIP uses to call Asterisk (PJSIP endpoint livekit), at least 16 characters.", 32);
    containers.Asterisk.WithEnvironment("NEOLIA_LIVEKIT_SIP_PASSWORD", liveKitSipPassword);
    callApi
        .WithEnvironment($"{AsteriskSettings}__LiveKitTrunkAddress", "asterisk:5060") // Asterisk's name on the containers' network
        .WithEnvironment("CallControl__LiveKitTrunkUsername", "livekit")
        .WithEnvironment("CallControl__LiveKitTrunkPassword", liveKitSipPassword);
}
else if (localAsterisk is not null)
{
    WireAsterisk(localAsterisk, "127.0.0.1");
    edgeTls?.ApplyTo(localAsterisk, ports.SipTls);
}

// Asterisk hands door calls to CallApi over ARI and reads its SIP accounts from PostgreSQL (realtime, its own
// read-only role that CallApi creates). It waits for the database, never for CallApi: with CallApi down the
// dialplan rings the apartment's SIP phones itself.
void WireAsterisk<T>(IResourceBuilder<T> asterisk, string databaseHost) where T : IResourceWithEnvironment, IResourceWithEndpoints, IResourceWithWaitSupport
{
    var ariPassword = Secret("asterisk-ari-password", "Password of the ARI user CallApi controls door calls with (ari.conf), at least 16 characters.", 32);
    var databasePassword = Secret("asterisk-db-password", "Password of Asterisk's PostgreSQL role (realtime SIP accounts), at least 16 characters.", 32);
    var http = asterisk.GetEndpoint("http");
    asterisk
        .WithEnvironment("NEOLIA_ARI_USERNAME", AriUsername)
        .WithEnvironment("NEOLIA_ARI_PASSWORD", ariPassword)
        .WithEnvironment("PGPASSWORD", databasePassword)
        // The primary, then the read replicas Asterisk reads from while the primary does not answer (same port);
        // libpq tries them in order and gives each 2 s.
        .WithEnvironment("NEOLIA_REALTIME_HOSTS", string.Join(',', [databaseHost, .. localRealtimeReplicas, .. AsteriskRealtimeReplicas(builder.Configuration)]))
        .WithEnvironment("PGCONNECT_TIMEOUT", "2")
        .WaitFor(database);
    callApi
        .WithEnvironment($"{AsteriskSettings}__Name", AsteriskName)
        .WithEnvironment($"{AsteriskSettings}__AriUrl", http)
        .WithEnvironment($"{AsteriskSettings}__AriUsername", AriUsername)
        .WithEnvironment($"{AsteriskSettings}__AriPassword", ariPassword)
        .WithEnvironment("Asterisk__Realtime__Password", databasePassword);
    gateway.WithReference(http);
}

// What apps connect to for LiveKit: the gateway, with the WebSocket scheme. Published, that is the public address
// operators give (parameter livekit-public-url, e.g. wss://intercom.example.com), not a container name.
if (isRun)
{
    callApi.WithEnvironment("LiveKit__Url", edgeTls is null
        ? ReferenceExpression.Create($"ws://{gateway.GetEndpoint("http").Property(EndpointProperty.HostAndPort)}")
        : ReferenceExpression.Create($"wss://{gateway.GetEndpoint(EdgeTls.HttpsEndpoint).Property(EndpointProperty.HostAndPort)}"));
    builder.AddRunBanner(mode, gateway, callApi, demoPassword!, jwtSigningKey, database, edgeTls is not null);
}
else
{
    var publicLiveKitUrl = builder.AddParameter("livekit-public-url")
        .WithDescription("The ws:// or wss:// address apps use to reach LiveKit through the gateway, e.g. wss://intercom.example.com.");
    callApi.WithEnvironment("LiveKit__Url", publicLiveKitUrl);
}

using var app = builder.Build();
var startLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Neolia");
if (mode == InfrastructureMode.Local)
{
    startLog.LogWarning(
        "Infrastructure mode 'local' ({Key}=local): PostgreSQL and Redis run as local processes from this machine's packages; " +
        "{Asterisk}; LiveKit is not in the model (it needs a container runtime): its server API is expected at {LiveKitApiUrl}. " +
        "Start with {Key}=containers where Docker or Podman runs.",
        InfrastructureModes.ConfigurationKey,
        localAsterisk is null ? "Asterisk is not in the model (none installed: set Neolia:Local:Asterisk or put asterisk on the PATH), so doors cannot call in over SIP"
            : $"Asterisk runs from {localAsterisk.Resource.Command} (SIP on port {ports.Sip})",
        builder.Configuration["Neolia:Local:LiveKitApiUrl"] ?? "http://127.0.0.1:7880", InfrastructureModes.ConfigurationKey);
}
else if (isRun)
{
    startLog.LogInformation("Infrastructure mode 'containers': PostgreSQL, Redis, Asterisk and LiveKit run as containers.");
}
app.Run();

internal static partial class Program
{
    /// <summary>The ARI user of ari.conf (printed by neolia-ari.sh from NEOLIA_ARI_USERNAME).</summary>
    private const string AriUsername = "neolia";

    /// <summary>
    /// The one Asterisk the model runs, as CallApi's CallControl:Asterisks lists it. Several Asterisks are an operator's
    /// deployment (docs/architecture.md, "Several Asterisk servers"): each is one more item of that list.
    /// </summary>
    private const string AsteriskSettings = "CallControl__Asterisks__0";

    /// <summary>Its name, which is also its systemname (containers/asterisk/asterisk.conf; written into local mode's asterisk.conf).</summary>
    internal const string AsteriskName = "asterisk";

    /// <summary>Where local mode's read replica listens: another loopback address, on the primary's port.</summary>
    internal const string LocalPostgresReplicaHost = "127.0.0.2";

    /// <summary>
    /// <c>Neolia:AsteriskRealtimeReplicas</c>: read replicas of the database (host names, comma-separated, on the
    /// primary's port) that Asterisk reads from while the primary does not answer, so a door still rings its
    /// apartment's phones (docs/reliability.md). None by default.
    /// </summary>
    internal static IEnumerable<string> AsteriskRealtimeReplicas(IConfiguration configuration)
    {
        var hosts = (configuration["Neolia:AsteriskRealtimeReplicas"] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var host in hosts)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(host, "^[A-Za-z0-9._:-]+$"))
                throw new InvalidOperationException($"Neolia:AsteriskRealtimeReplicas: '{host}' is not a host name.");
        }
        return hosts;
    }
}
