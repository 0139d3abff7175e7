using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Neolia.DevStack;
using Npgsql;

namespace Neolia.AppHost.Tests;

public sealed class StackTests(StackFixture stack) : IClassFixture<StackFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_resource_becomes_healthy()
    {
        using var timeout = new CancellationTokenSource(Wait);
        foreach (var resource in StackFixture.Resources)
        {
            var state = await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            Assert.Equal(resource, state.Resource.Name);
        }
    }

    [Fact]
    public async Task Services_get_the_connection_strings_discovery_and_secrets_the_model_gives()
    {
        var callApi = await EnvironmentOfAsync("callapi");
        var notifier = await EnvironmentOfAsync("notifier");
        var gateway = await EnvironmentOfAsync("gateway");

        var database = new NpgsqlConnectionStringBuilder(callApi["ConnectionStrings__neolia"]);
        Assert.Equal("neolia", database.Database);
        Assert.Equal(stack.PostgresPassword, database.Password);
        Assert.Equal(stack.App.GetEndpoint("postgres", "tcp").Port, database.Port);
        Assert.Contains($"password={stack.RedisPassword}", callApi["ConnectionStrings__redis"]);
        Assert.Equal(callApi["ConnectionStrings__redis"], notifier["ConnectionStrings__redis"]);

        Assert.Equal(stack.JwtSigningKey, callApi["Jwt__SigningKey"]);
        Assert.Equal(stack.JwtSigningKey, notifier["Jwt__SigningKey"]);
        Assert.False(callApi.ContainsKey("Asterisk__WebhookSecret"), "door calls enter through ARI only");
        Assert.Equal(stack.KeyEncryptionKey, callApi["DataProtection__KeyEncryptionKey"]);

        Assert.Equal(stack.App.GetEndpoint("callapi", "http").ToString().TrimEnd('/'), gateway["services__callapi__http__0"].TrimEnd('/'));
        // App sockets go to the Notifier's h2c endpoint (its Kestrel:Endpoints), many per connection.
        Assert.Equal(stack.App.GetEndpoint("notifier", "sockets").ToString().TrimEnd('/'), gateway["services__notifier__sockets__0"].TrimEnd('/'));
        Assert.False(gateway.ContainsKey("ConnectionStrings__neolia"), "the gateway must not get the database");
        Assert.False(notifier.ContainsKey("ConnectionStrings__neolia"), "the Notifier never touches PostgreSQL");
    }

    [Fact]
    public async Task PostgreSQL_and_Redis_refuse_clients_without_the_password()
    {
        var port = stack.App.GetEndpoint("postgres", "tcp").Port;
        await using (var wrong = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Password=wrong;Database=postgres"))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => wrong.OpenAsync());
            Assert.Equal("28P01", refused.SqlState); // invalid_password
        }
        await using (var right = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("neolia")))
        {
            await right.OpenAsync();
        }

        var redisPort = stack.App.GetEndpoint("redis", "tcp").Port;
        // Redis's own protocol, no client library in between: a command without AUTH is refused.
        using var anonymous = new System.Net.Sockets.TcpClient();
        await anonymous.ConnectAsync("127.0.0.1", redisPort);
        var stream = anonymous.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var answer = new byte[256];
        var read = await stream.ReadAsync(answer);
        Assert.StartsWith("-NOAUTH", Encoding.ASCII.GetString(answer, 0, read));
    }

    /// <summary>The environment a resource's process really got from DCP (Linux /proc), not what the model meant to give.</summary>
    private async Task<Dictionary<string, string>> EnvironmentOfAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(Wait);
        var running = await stack.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && p.Value is not null), timeout.Token);
        var pid = Convert.ToInt32(running.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value);
        var environ = await File.ReadAllTextAsync($"/proc/{pid}/environ");
        return environ.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(pair => pair[0])
            .ToDictionary(g => g.Key, g => g.Last().ElementAtOrDefault(1) ?? "");
    }

    [Fact]
    public async Task The_admin_console_answers_through_the_gateway()
    {
        using var gateway = stack.App.CreateHttpClient("gateway", "http");
        using var response = await gateway.GetAsync("/admin/login");
        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/admin/login through the gateway answered {(int)response.StatusCode}: {page[..Math.Min(page.Length, 300)]}");
        Assert.Contains("<base href=\"/admin/\"", page);
    }

    [Fact]
    public async Task Gateway_answers_health()
    {
        using var gateway = stack.App.CreateHttpClient("gateway", "http");
        using var response = await gateway.GetAsync("/health");
        Assert.True(response.IsSuccessStatusCode, $"gateway /health answered {(int)response.StatusCode}");
    }

    [Fact]
    public async Task A_test_call_of_the_door_reaches_the_residents_WebSocket_through_the_gateway()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var ct = timeout.Token;

        // Alice signs in through the gateway, as the app does; so does the building's manager, as the admin console does.
        using var gateway = stack.App.CreateHttpClient("gateway", "http");
        var accessToken = await SignInAsync(gateway, "alice@demo.neolia.test", ct);
        using var manager = stack.App.CreateHttpClient("gateway", "http");
        manager.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await SignInAsync(manager, "manager@demo.neolia.test", ct));

        // Her app opens its socket through the gateway.
        var gatewayUri = stack.App.GetEndpoint("gateway", "http");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{gatewayUri.Authority}/ws?access_token={Uri.EscapeDataString(accessToken)}"), ct);
        Assert.Equal("hello", (await ReceiveAsync(socket, ct)).GetProperty("type").GetString());

        // The manager tests the demo door on apartment 101, through the gateway: it rings as the door would.
        var doors = await manager.GetFromJsonAsync<JsonElement>("/api/admin/devices?search=demo-door-1", ct);
        var door = doors.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("sipUsername").GetString() == "demo-door-1");
        using var test = await manager.PostAsJsonAsync($"/api/admin/devices/{door.GetProperty("id").GetString()}/test-call", new { apartment = "101" }, ct);
        Assert.True(test.IsSuccessStatusCode, $"test-call answered {(int)test.StatusCode}: {await test.Content.ReadAsStringAsync(ct)}");
        var callId = (await test.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("callId").GetString();

        JsonElement message;
        do message = await ReceiveAsync(socket, ct);
        while (message.GetProperty("type").GetString() != "incoming_call");

        var call = message.GetProperty("call");
        Assert.Equal(callId, call.GetProperty("id").GetString());
        Assert.Equal("101", call.GetProperty("apartment").GetString());
        Assert.Equal("demo-door-1", call.GetProperty("caller").GetString());
        Assert.False(string.IsNullOrEmpty(call.GetProperty("calleeToken").GetString()));
        Assert.StartsWith($"ws://{gatewayUri.Authority}", call.GetProperty("livekitUrl").GetString());
    }

    [Fact]
    public async Task The_tests_DevStack_gives_CallApi_and_the_Notifier_the_settings_the_AppHost_gives()
    {
        // The fault tests run the services with Neolia.DevStack: it must wire them as this model does.
        var devStack = LocalStack.SettingKeys(new LocalStackOptions { StateDirectory = Path.GetTempPath(), Secrets = StackSecrets.Generate() });
        foreach (var (service, keys) in devStack)
        {
            var fromAppHost = (await EnvironmentOfAsync(service)).Keys.Where(IsServiceSetting).ToHashSet();
            var fromDevStack = keys.Where(IsServiceSetting).ToHashSet();
            Assert.True(fromAppHost.SetEquals(fromDevStack), $"{service}: only the AppHost gives [{string.Join(", ", fromAppHost.Except(fromDevStack))}]; " +
                $"only DevStack gives [{string.Join(", ", fromDevStack.Except(fromAppHost))}]");
        }
    }

    /// <summary>The service's own configuration (not hosting, telemetry, discovery or the runtime's).</summary>
    private static bool IsServiceSetting(string key) =>
        key.Contains("__", StringComparison.Ordinal) && !key.StartsWith("services__", StringComparison.Ordinal)
        && !key.StartsWith("OTEL_", StringComparison.Ordinal) && !key.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
        && !key.StartsWith("DOTNET_", StringComparison.Ordinal) && !key.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase)
        && !key.StartsWith("Kestrel__", StringComparison.Ordinal);

    private async Task<string> SignInAsync(HttpClient gateway, string email, CancellationToken ct)
    {
        using var login = await gateway.PostAsJsonAsync("/api/auth/login", new { email, password = stack.DemoPassword }, ct);
        Assert.True(login.IsSuccessStatusCode, $"login of {email} answered {(int)login.StatusCode}: {await login.Content.ReadAsStringAsync(ct)}");
        return (await login.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString()!;
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        using var text = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException($"The server closed the socket: {result.CloseStatus} {result.CloseStatusDescription}");
            text.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(Encoding.UTF8.GetString(text.ToArray())).RootElement.Clone();
    }
}
