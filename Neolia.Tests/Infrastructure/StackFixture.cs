using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neolia.CallApi.Data;
using Neolia.CallApi.Users;
using Neolia.DevStack;

namespace Neolia.Tests.Infrastructure;

/// <summary>
/// One real stack for a test collection: PostgreSQL and Redis on loopback (or the ones named by
/// NEOLIA_TEST_POSTGRES / NEOLIA_TEST_REDIS), CallApi, the Notifier and the gateway as processes, started by the
/// same code as scripts/run.sh. Tests talk to it as the app and Asterisk do: HTTP and WebSockets.
/// </summary>
public class StackFixture : IAsyncLifetime
{
    private IHost? _dataHost;

    public LocalStack Stack { get; private set; } = null!;
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>CallApi directly, as Asterisk reaches it on the private network.</summary>
    public HttpClient CallApi { get; private set; } = null!;

    public StackSecrets Secrets => Stack.Secrets;

    protected virtual int NotifierReplicas => 1;

    protected virtual IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>();

    public virtual async Task InitializeAsync()
    {
        var state = Path.Combine(Path.GetTempPath(), "neolia-tests", Guid.NewGuid().ToString("N")[..12]);
        var extra = ExtraSettings.ToDictionary(kv => kv.Key, kv => kv.Value);
        // Tests sign in far more often than a person: the gateway's sign-in limit is for people.
        var gatewaySettings = new Dictionary<string, string?> { ["Edge__AuthRequestsPerMinute"] = "100000" };
        if (extra.TryGetValue("gateway", out var gw)) foreach (var (k, v) in gw) gatewaySettings[k] = v;
        extra["gateway"] = gatewaySettings;

        Stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            StateDirectory = state,
            Secrets = StackSecrets.Generate(),
            PostgresConnectionString = Environment.GetEnvironmentVariable("NEOLIA_TEST_POSTGRES"),
            RedisConnectionString = Environment.GetEnvironmentVariable("NEOLIA_TEST_REDIS"),
            FastPostgres = true,
            NotifierReplicas = NotifierReplicas,
            ExtraSettings = extra,
        });
        Gateway = new HttpClient { BaseAddress = Stack.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        CallApi = new HttpClient { BaseAddress = Stack.CallApi.Url, Timeout = TimeSpan.FromSeconds(30) };

        // CallApi's own data registration, pointed at the stack's database: tests arrange data the way CallApi stores it.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:neolia"] = Stack.DatabaseConnectionString });
        builder.AddNeoliaData();
        _dataHost = builder.Build();
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

    /// <summary>Sends Asterisk's door-call webhook exactly as the dialplan's CURL() does: form-encoded, with the secret header.</summary>
    public Task<HttpResponseMessage> RingAsync(IReadOnlyDictionary<string, string> fields, string? secret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/call") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Add("X-Neolia-Webhook-Secret", secret ?? Secrets.WebhookSecret);
        return CallApi.SendAsync(request);
    }

    public virtual async Task DisposeAsync()
    {
        Gateway?.Dispose();
        CallApi?.Dispose();
        _dataHost?.Dispose();
        if (Stack is not null) await Stack.DisposeAsync();
    }
}

public sealed record TokenPair(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}
