using System.Diagnostics;
using System.Text.Json;

namespace Neolia.AppHost.Tests;

/// <summary>
/// The deployment manifest (what azd and other tools deploy) written by the real AppHost with
/// <c>--publisher manifest</c>, and checked as an operator would read it.
/// </summary>
public sealed class ManifestTests : IAsyncLifetime
{
    // Values given to the AppHost while it publishes: none of them may appear in the file.
    private static readonly Dictionary<string, string> SecretValues = new()
    {
        ["livekit-api-key"] = "key-" + Guid.NewGuid().ToString("N"),
        ["livekit-api-secret"] = "secret-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
        ["jwt-signing-key"] = "jwt-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
        ["postgres-password"] = "pg-" + Guid.NewGuid().ToString("N"),
        ["redis-password"] = "redis-" + Guid.NewGuid().ToString("N"),
        ["asterisk-ari-password"] = "ari-" + Guid.NewGuid().ToString("N"),
        ["media-relay-secret"] = "relay-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
        ["livekit-sip-password"] = "lksip-" + Guid.NewGuid().ToString("N"),
        ["dataprotection-key"] = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()),
        ["asterisk-db-password"] = "astdb-" + Guid.NewGuid().ToString("N"),
    };

    /// <summary>The operator's read replica of the database, given while publishing.</summary>
    private const string ReadReplica = "db-replica-1.internal";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "neolia-manifest-" + Guid.NewGuid().ToString("N")[..8]);
    private string _text = "";
    private JsonElement _resources;

    public async Task InitializeAsync()
    {
        var appHost = Path.Combine(AppContext.BaseDirectory, "Neolia.AppHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        foreach (var arg in new[] { "exec", appHost, "--publisher", "manifest", "--output-path", Path.Combine(_directory, "aspire-manifest.json") }) start.ArgumentList.Add(arg);
        foreach (var (name, value) in SecretValues) start.Environment[$"Parameters__{name}"] = value;
        start.Environment["Neolia__AsteriskRealtimeReplicas"] = ReadReplica;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"the AppHost's manifest publishing failed ({process.ExitCode}):\n{await output}\n{await errors}");

        _text = await File.ReadAllTextAsync(Path.Combine(_directory, "aspire-manifest.json"));
        _resources = JsonDocument.Parse(_text).RootElement.GetProperty("resources").Clone();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Every_resource_of_the_platform_is_in_the_manifest()
    {
        string[] expected = ["postgres", "neolia", "redis", "livekit", "livekit-ingress", "livekit-sip", "asterisk", "callapi", "notifier", "gateway", "mediarelay", "adminconsole"];
        var missing = expected.Where(name => !_resources.TryGetProperty(name, out _)).ToList();
        Assert.True(missing.Count == 0, $"missing from the manifest: {string.Join(", ", missing)}");
        Assert.Equal("project.v0", _resources.GetProperty("callapi").GetProperty("type").GetString());
        Assert.Equal("container.v0", _resources.GetProperty("asterisk").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("asterisk", "sip-udp", 5060)]
    [InlineData("livekit", "rtc-udp", 7882)]
    public void Media_and_signalling_ports_are_published_as_udp(string resource, string binding, int targetPort)
    {
        var endpoint = _resources.GetProperty(resource).GetProperty("bindings").GetProperty(binding);
        Assert.Equal("udp", endpoint.GetProperty("protocol").GetString());
        Assert.Equal(targetPort, endpoint.GetProperty("targetPort").GetInt32());
        Assert.True(endpoint.GetProperty("external").GetBoolean(), $"{resource}.{binding} must be reachable from outside");
    }

    [Fact]
    public void The_gateway_reaches_the_notifiers_sockets_over_h2c()
    {
        // The Notifier's own Kestrel:Endpoints declare "sockets" as HTTP/2 only: the gateway carries app sockets there
        // as HTTP/2 streams, many per connection (bench/RESULTS.md: ~18 KB less per app socket).
        var sockets = _resources.GetProperty("notifier").GetProperty("bindings").GetProperty("sockets");
        Assert.Equal("http2", sockets.GetProperty("transport").GetString());
        Assert.Equal("{notifier.bindings.sockets.url}", _resources.GetProperty("gateway").GetProperty("env").GetProperty("services__notifier__sockets__0").GetString());
        Assert.Equal("http://*:{notifier.bindings.sockets.targetPort}", _resources.GetProperty("notifier").GetProperty("env").GetProperty("Kestrel__Endpoints__sockets__Url").GetString());
    }

    [Fact]
    public void Every_secret_is_a_secret_parameter_and_no_value_is_written()
    {
        foreach (var name in SecretValues.Keys)
        {
            var parameter = _resources.GetProperty(name);
            Assert.Equal("parameter.v0", parameter.GetProperty("type").GetString());
            Assert.True(parameter.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean(), $"{name} is not marked secret");
        }
        foreach (var (name, value) in SecretValues) Assert.False(_text.Contains(value), $"the value of {name} is written in the manifest");
        // The LiveKit components get the Redis password inside their configuration body, as a reference.
        Assert.Contains("{redis-password.value}", _resources.GetProperty("livekit-sip").GetProperty("env").GetProperty("SIP_CONFIG_BODY").GetString());

        var callApiEnv = _resources.GetProperty("callapi").GetProperty("env");
        Assert.Equal("{jwt-signing-key.value}", callApiEnv.GetProperty("Jwt__SigningKey").GetString());
        Assert.False(callApiEnv.TryGetProperty("Asterisk__WebhookSecret", out _), "door calls enter through ARI only: CallApi has no webhook secret");
        Assert.Equal("{neolia.connectionString}", callApiEnv.GetProperty("ConnectionStrings__neolia").GetString());
        // Asterisk and CallApi share the ARI and realtime-role secrets through parameters, never through a value.
        var asteriskEnv = _resources.GetProperty("asterisk").GetProperty("env");
        Assert.Equal("{asterisk-ari-password.value}", asteriskEnv.GetProperty("NEOLIA_ARI_PASSWORD").GetString());
        Assert.Equal("{asterisk-ari-password.value}", callApiEnv.GetProperty("CallControl__Asterisks__0__AriPassword").GetString());
        Assert.Equal("{asterisk-db-password.value}", asteriskEnv.GetProperty("PGPASSWORD").GetString());
        Assert.Equal("{asterisk-db-password.value}", callApiEnv.GetProperty("Asterisk__Realtime__Password").GetString());
        Assert.Equal("{asterisk.bindings.http.url}", callApiEnv.GetProperty("CallControl__Asterisks__0__AriUrl").GetString());
        Assert.Equal("asterisk", callApiEnv.GetProperty("CallControl__Asterisks__0__Name").GetString());
    }

    [Fact]
    public void Asterisk_reads_its_realtime_rows_from_the_database_service_then_from_the_operators_read_replicas()
    {
        var asteriskEnv = _resources.GetProperty("asterisk").GetProperty("env");
        Assert.Equal($"postgres,{ReadReplica}", asteriskEnv.GetProperty("NEOLIA_REALTIME_HOSTS").GetString());
        Assert.Equal("2", asteriskEnv.GetProperty("PGCONNECT_TIMEOUT").GetString()); // a primary that does not answer costs 2 s, not libpq's forever
    }

    [Theory]
    [InlineData("asterisk", "/etc/asterisk", "containers/asterisk")]
    [InlineData("livekit", "/etc/livekit.yaml", "containers/livekit/livekit.yaml")]
    public void Configuration_is_bind_mounted_from_the_repository(string resource, string target, string source)
    {
        var mount = _resources.GetProperty(resource).GetProperty("bindMounts").EnumerateArray().Single(m => m.GetProperty("target").GetString() == target);
        Assert.EndsWith(source, mount.GetProperty("source").GetString());
        Assert.True(mount.GetProperty("readOnly").GetBoolean());
        var onDisk = Path.GetFullPath(Path.Combine(_directory, mount.GetProperty("source").GetString()!));
        Assert.True(File.Exists(onDisk) || Directory.Exists(onDisk), $"{onDisk} does not exist");
    }

    [Fact]
    public void The_development_seed_is_not_published()
    {
        Assert.False(_resources.TryGetProperty("demo-password", out _), "the demo accounts' password parameter is published");
        Assert.False(_resources.TryGetProperty("demo-sip-password", out _), "the demo SIP accounts' password parameter is published");
        var env = _resources.GetProperty("callapi").GetProperty("env");
        Assert.False(env.TryGetProperty("Seed__Enabled", out _), "the development seed would run in a deployment");
        Assert.False(env.TryGetProperty("Seed__DemoPassword", out _));
    }

    [Fact]
    public void The_gateway_serves_https_on_443_and_asterisk_sip_over_tls_on_5061_with_the_operators_certificate()
    {
        var gateway = _resources.GetProperty("gateway");
        var bindings = gateway.GetProperty("bindings");
        var https = bindings.GetProperty("https");
        Assert.Equal(("https", true, 443, 8443), (https.GetProperty("scheme").GetString(), https.GetProperty("external").GetBoolean(),
            https.GetProperty("port").GetInt32(), https.GetProperty("targetPort").GetInt32()));
        var http = bindings.GetProperty("http");
        Assert.Equal((true, 80, 8080), (http.GetProperty("external").GetBoolean(), http.GetProperty("port").GetInt32(), http.GetProperty("targetPort").GetInt32()));
        // The console's way in stays on the private network.
        var internalBinding = bindings.GetProperty("internal");
        Assert.False(internalBinding.TryGetProperty("external", out var external) && external.GetBoolean());
        Assert.Equal("{gateway.bindings.internal.url}", _resources.GetProperty("adminconsole").GetProperty("env").GetProperty("services__gateway__http__0").GetString());

        var env = gateway.GetProperty("env");
        Assert.Equal("{tls-certificate-path.value}", env.GetProperty("Edge__Certificates__0__CertificatePath").GetString());
        Assert.Equal("{tls-key-path.value}", env.GetProperty("Edge__Certificates__0__KeyPath").GetString());
        Assert.Equal("{gateway.bindings.https.targetPort}", env.GetProperty("Edge__HttpsPort").GetString());
        Assert.Equal("{gateway.bindings.http.targetPort}", env.GetProperty("Edge__HttpPort").GetString());
        Assert.Equal("{gateway.bindings.https.port}", env.GetProperty("Edge__PublicHttpsPort").GetString());
        // Paths, not secrets: the operator mounts the files (renewed by certbot or cert-manager).
        Assert.Equal("parameter.v0", _resources.GetProperty("tls-certificate-path").GetProperty("type").GetString());
        Assert.False(_resources.GetProperty("tls-key-path").GetProperty("inputs").GetProperty("value").TryGetProperty("secret", out _));

        var asterisk = _resources.GetProperty("asterisk");
        var sipTls = asterisk.GetProperty("bindings").GetProperty("sip-tls");
        Assert.Equal(("tcp", 5061, true), (sipTls.GetProperty("protocol").GetString(), sipTls.GetProperty("targetPort").GetInt32(), sipTls.GetProperty("external").GetBoolean()));
        Assert.Equal("{tls-certificate-path.value}", asterisk.GetProperty("env").GetProperty("NEOLIA_TLS_CERT_FILE").GetString());
        Assert.Equal("{tls-key-path.value}", asterisk.GetProperty("env").GetProperty("NEOLIA_TLS_KEY_FILE").GetString());
    }

    [Fact]
    public void Apps_reach_LiveKit_at_the_public_address_the_operator_gives()
    {
        Assert.Equal("{livekit-public-url.value}", _resources.GetProperty("callapi").GetProperty("env").GetProperty("LiveKit__Url").GetString());
        Assert.True(_resources.GetProperty("gateway").GetProperty("bindings").GetProperty("http").GetProperty("external").GetBoolean());
    }
}
