using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neolia.CallApi.Data;
using Neolia.CallApi.Users;
using Neolia.DevStack;
using Neolia.Tests.CallControl;

namespace Neolia.Tests.Infrastructure;

/// <summary>
/// One real stack for a test collection, as the app and Asterisk meet it: HTTP and WebSockets through the gateway. By
/// default it is the AppHost itself (<see cref="AppHostStack"/>: Aspire.Hosting.Testing, local-processes mode, the
/// wiring that ships); a fixture whose tests stop, kill or restart PostgreSQL, Redis or a service sets
/// <see cref="RunsOnAppHost"/> to false and gets Neolia.DevStack's processes (<see cref="Processes"/>), started with
/// the settings the AppHost gives (Neolia.AppHost.Tests compares the two). Door calls reach CallApi as in production,
/// through Asterisk's REST interface: CallApi controls them over ARI against <see cref="Asterisk"/>, which also plays
/// LiveKit's server API (so an app's answer bridges the door through LiveKit SIP).
/// </summary>
public class StackFixture : IAsyncLifetime
{
    private IHost? _dataHost;

    public IStackUnderTest Stack { get; private set; } = null!;

    /// <summary>
    /// The processes of a DevStack fixture, for the tests that stop, kill or restart them; an AppHost fixture has none
    /// of its own to hand out (DCP runs them).
    /// </summary>
    public LocalStack Processes => (Stack as DevStackProcesses)?.Processes
        ?? throw new InvalidOperationException($"{GetType().Name} runs on the AppHost: a test that stops or kills processes needs a fixture with RunsOnAppHost = false.");

    /// <summary>Whether the stack is the AppHost (true) or Neolia.DevStack's processes, which tests may kill and restart.</summary>
    protected virtual bool RunsOnAppHost => true;
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>CallApi directly, as the private network reaches it (LiveKit's webhooks, health).</summary>
    public HttpClient CallApi { get; private set; } = null!;

    /// <summary>The stand-in Asterisk whose ARI CallApi drives door calls through (and LiveKit's server API).</summary>
    public FakeAsterisk Asterisk { get; private set; } = null!;

    public StackSecrets Secrets => Stack.Secrets;

    protected virtual int NotifierReplicas => 1;

    /// <summary>CallApi replicas behind the gateway, each taking door calls as its own Stasis application (DevStack fixtures only).</summary>
    protected virtual int CallApiReplicas => 1;

    /// <summary>How long door calls ring, in seconds (Calls:RingTimeoutSeconds; CallApi's own default is 30).</summary>
    public virtual int RingTimeout => 30;

    public const string LiveKitTrunkAddress = "asterisk.test:5060";

    /// <summary>CallApi's settings for call control against <paramref name="asterisk"/> (ARI and LiveKit's API on the same stand-in).</summary>
    public static Dictionary<string, string?> CallControlSettings(FakeAsterisk asterisk, int ringTimeoutSeconds, string liveKitTrunkAddress = LiveKitTrunkAddress) =>
        new(AsteriskSettings(0, asterisk, liveKitTrunkAddress))
    {
        ["CallControl__LiveKitTrunkUsername"] = "livekit",
        ["CallControl__LiveKitTrunkPassword"] = "livekit-trunk-password-of-the-tests",
        ["CallControl__LiveKitJoinTimeout"] = "00:00:05",
        ["CallControl__ReconnectDelay"] = "00:00:00.200",
        ["LiveKit__ApiUrl"] = asterisk.Url,
        ["Calls__RingTimeoutSeconds"] = ringTimeoutSeconds.ToString(),
    };

    /// <summary>CallApi's settings for item <paramref name="index"/> of CallControl:Asterisks: <paramref name="asterisk"/>, named after its system name.</summary>
    public static Dictionary<string, string?> AsteriskSettings(int index, FakeAsterisk asterisk, string liveKitTrunkAddress) => new()
    {
        [$"CallControl__Asterisks__{index}__Name"] = asterisk.SystemName ?? "asterisk",
        [$"CallControl__Asterisks__{index}__AriUrl"] = asterisk.Url,
        [$"CallControl__Asterisks__{index}__AriUsername"] = FakeAsterisk.Username,
        [$"CallControl__Asterisks__{index}__AriPassword"] = asterisk.Password,
        [$"CallControl__Asterisks__{index}__LiveKitTrunkAddress"] = liveKitTrunkAddress,
    };

    /// <summary>The settings of one more CallApi process on this stack's database, Redis and stand-in (a test starts it, kills it, starts it again).</summary>
    public Dictionary<string, string?> AnotherCallApiSettings() => new(CallControlSettings(Asterisk, RingTimeout, AsteriskTrunkAddress))
    {
        ["ConnectionStrings__neolia"] = Stack.DatabaseConnectionString,
        ["ConnectionStrings__redis"] = Stack.RedisConnectionString,
        ["Jwt__SigningKey"] = Secrets.JwtSigningKey,
        ["LiveKit__Url"] = "ws://127.0.0.1:9",
        ["LiveKit__ApiKey"] = Secrets.LiveKitApiKey,
        ["LiveKit__ApiSecret"] = Secrets.LiveKitApiSecret,
        ["ASPNETCORE_ENVIRONMENT"] = "Development", // as the stack's first CallApi: its key ring is not encrypted
    };

    protected virtual IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>();

    /// <summary>The system name of <see cref="Asterisk"/> (null: none, as one Asterisk may run), also its name in CallControl:Asterisks.</summary>
    protected virtual string? AsteriskSystemName => null;

    /// <summary>Where LiveKit SIP reaches <see cref="Asterisk"/> (its item's LiveKitTrunkAddress).</summary>
    protected virtual string AsteriskTrunkAddress => LiveKitTrunkAddress;

    public virtual async Task InitializeAsync()
    {
        Asterisk = await FakeAsterisk.StartAsync(AsteriskSystemName);
        var state = Path.Combine(Path.GetTempPath(), "neolia-tests", Guid.NewGuid().ToString("N")[..12]);
        var extra = ExtraSettings.ToDictionary(kv => kv.Key, kv => kv.Value);
        // Call control over ARI first; a fixture's own CallApi settings override it (e.g. another LiveKit API).
        var callApiSettings = CallControlSettings(Asterisk, RingTimeout, AsteriskTrunkAddress);
        if (extra.TryGetValue("callapi", out var own)) foreach (var (k, v) in own) callApiSettings[k] = v;
        extra["callapi"] = callApiSettings;
        // Tests sign in far more often than a person: the gateway's sign-in limit is for people.
        var gatewaySettings = new Dictionary<string, string?> { ["Edge__AuthRequestsPerMinute"] = "100000" };
        if (extra.TryGetValue("gateway", out var gw)) foreach (var (k, v) in gw) gatewaySettings[k] = v;
        extra["gateway"] = gatewaySettings;

        if (RunsOnAppHost && CallApiReplicas != 1) throw new InvalidOperationException("Several CallApi replicas run on DevStack only (RunsOnAppHost = false).");
        Stack = RunsOnAppHost
            ? await AppHostStack.StartAsync(state, StackSecrets.Generate(), NotifierReplicas, extra)
            : new DevStackProcesses(await LocalStack.StartAsync(new LocalStackOptions
            {
                StateDirectory = state,
                Secrets = StackSecrets.Generate(),
                PostgresConnectionString = Environment.GetEnvironmentVariable("NEOLIA_TEST_POSTGRES"),
                RedisConnectionString = Environment.GetEnvironmentVariable("NEOLIA_TEST_REDIS"),
                FastPostgres = true,
                NotifierReplicas = NotifierReplicas,
                CallApiReplicas = CallApiReplicas,
                ExtraSettings = extra,
            }));
        Gateway = new HttpClient { BaseAddress = Stack.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        CallApi = new HttpClient { BaseAddress = Stack.CallApiUrl, Timeout = TimeSpan.FromSeconds(30) };

        // CallApi's own data registration, pointed at the stack's database: tests arrange data the way CallApi stores it.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:neolia"] = Stack.DatabaseConnectionString });
        builder.AddNeoliaData();
        _dataHost = builder.Build();

        // Asterisk hands door calls to CallApi only once its ARI client is connected and subscribed.
        await Asterisk.Connected.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>A scope with CallApi's services (NeoliaDb seeing every tenant, UserManager, RoleManager).</summary>
    public AsyncServiceScope DataScope(out NeoliaDb db)
    {
        var scope = _dataHost!.Services.CreateAsyncScope();
        db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        db.TenantScope = TenantScope.All;
        return scope;
    }

    public TestData Data => new(this);

    public async Task<TokenPair> LoginAsync(string email, string? password = null)
    {
        using var response = await Gateway.PostAsJsonAsync("/api/auth/login", new { email, password = password ?? Secrets.DemoPassword });
        await response.EnsureSuccessWithBodyAsync();
        return (await response.Content.ReadFromJsonAsync<TokenPair>())!;
    }

    /// <summary>Opens a resident socket through the gateway, token in the query as the app does.</summary>
    public async Task<ResidentSocket> ConnectAsync(string accessToken, bool viaHeader = false)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(Stack.GatewayUrl) { Scheme = "ws", Path = "/ws" };
        if (viaHeader) socket.Options.SetRequestHeader("Authorization", $"Bearer {accessToken}");
        else uri.Query = $"access_token={Uri.EscapeDataString(accessToken)}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri.Uri, timeout.Token);
        return ResidentSocket.Start(socket);
    }

    public virtual async Task DisposeAsync()
    {
        Gateway?.Dispose();
        CallApi?.Dispose();
        _dataHost?.Dispose();
        if (Stack is not null) await Stack.DisposeAsync();
        if (Asterisk is not null) await Asterisk.DisposeAsync();
    }
}

public sealed record TokenPair(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}
