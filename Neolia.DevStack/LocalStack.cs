using Npgsql;

namespace Neolia.DevStack;

public sealed class LocalStackOptions
{
    /// <summary>Where PostgreSQL's data and the logs go.</summary>
    public required string StateDirectory { get; init; }
    public required StackSecrets Secrets { get; init; }

    /// <summary>Use this PostgreSQL server instead of starting one (a database of our own is created on it).</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Use this Redis instead of starting one.</summary>
    public string? RedisConnectionString { get; init; }

    /// <summary>Trade PostgreSQL durability for speed (test stacks).</summary>
    public bool FastPostgres { get; init; }

    public int NotifierReplicas { get; init; } = 1;

    /// <summary>CallApi processes, all behind the gateway; each takes door calls as its own Stasis application (AppHost: <c>Neolia:CallApiReplicas</c>).</summary>
    public int CallApiReplicas { get; init; } = 1;
    public bool Seed { get; init; } = true;

    /// <summary>0: any free port.</summary>
    public int GatewayPort { get; init; }

    public string Environment { get; init; } = "Development";

    /// <summary>Where CallApi would reach LiveKit's server API (nothing listens there unless you run LiveKit).</summary>
    public string LiveKitApiUrl { get; init; } = "http://127.0.0.1:7880";

    /// <summary>Extra configuration per service (name → key → value), on top of what the AppHost would set.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string?>>();
}

/// <summary>
/// The whole Neolia stack as local processes, wired the way the AppHost wires it: the same resource names and the
/// same configuration keys (<c>ConnectionStrings__neolia</c>, <c>services__callapi__http__0</c>, …).
/// </summary>
public sealed class LocalStack : IAsyncDisposable
{
    private readonly LocalStackOptions _options;
    private readonly List<ServiceProcess> _notifiers = [];
    private readonly List<ServiceProcess> _callApis = [];

    private LocalStack(LocalStackOptions options) => _options = options;

    public PostgresServer? Postgres { get; private set; }
    public RedisServer? Redis { get; private set; }
    public string DatabaseConnectionString { get; private set; } = "";
    public string RedisConnectionString { get; private set; } = "";
    /// <summary>The first CallApi replica (the only one unless <see cref="LocalStackOptions.CallApiReplicas"/> says more).</summary>
    public ServiceProcess CallApi => _callApis[0];
    public IReadOnlyList<ServiceProcess> CallApis => _callApis;
    public IReadOnlyList<ServiceProcess> Notifiers => _notifiers;
    public ServiceProcess Gateway { get; private set; } = null!;
    public Uri GatewayUrl => Gateway.Url;
    public StackSecrets Secrets => _options.Secrets;
    public string LogDirectory => Path.Combine(_options.StateDirectory, "logs");

    public static async Task<LocalStack> StartAsync(LocalStackOptions options)
    {
        var stack = new LocalStack(options);
        try
        {
            await stack.StartAllAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync()
    {
        Directory.CreateDirectory(LogDirectory);
        var postgres = StartOrReusePostgresAsync();
        var redis = StartOrReuseRedisAsync();
        await Task.WhenAll(postgres, redis);

        var gatewayPort = _options.GatewayPort == 0 ? FreePort.Next() : _options.GatewayPort;
        // The first replica migrates and seeds; the others start once it is healthy.
        var replicas = _options.CallApiReplicas;
        _callApis.Add(await StartServiceAsync(replicas == 1 ? "callapi" : "callapi-0", "Neolia.CallApi", CallApiSettings(gatewayPort)));
        _callApis.AddRange(await Task.WhenAll(Enumerable.Range(1, replicas - 1)
            .Select(i => StartServiceAsync($"callapi-{i}", "Neolia.CallApi", CallApiSettings(gatewayPort)))));
        var notifierStarts = Enumerable.Range(0, _options.NotifierReplicas)
            .Select(i => StartServiceAsync(_options.NotifierReplicas == 1 ? "notifier" : $"notifier-{i}", "Neolia.Notifier", NotifierSettings()));
        _notifiers.AddRange(await Task.WhenAll(notifierStarts));
        Gateway = await StartServiceAsync("gateway", "Neolia.Gateway", GatewaySettings(), gatewayPort);
    }

    private async Task StartOrReusePostgresAsync()
    {
        if (_options.PostgresConnectionString is { } existing)
        {
            // A database of our own on a shared server, so parallel runs never see each other's data.
            DatabaseConnectionString = new NpgsqlConnectionStringBuilder(existing) { Database = $"neolia_{Guid.NewGuid():N}" }.ConnectionString;
            return;
        }
        Postgres = await OnAFreePortAsync(port => PostgresServer.StartAsync(Path.Combine(_options.StateDirectory, "postgres"), port, LogDirectory, _options.FastPostgres, Secrets.PostgresPassword));
        DatabaseConnectionString = Postgres.ConnectionString("neolia");
    }

    private async Task StartOrReuseRedisAsync()
    {
        if (_options.RedisConnectionString is { } existing)
        {
            RedisConnectionString = existing;
            return;
        }
        Redis = await OnAFreePortAsync(port => RedisServer.StartAsync(port, LogDirectory, Secrets.RedisPassword));
        RedisConnectionString = Redis.ConnectionString;
    }

    /// <summary>
    /// A port found free can be taken by another process before the server binds it (many stacks start at once on a
    /// busy machine): then the server is started again on another port.
    /// </summary>
    private static async Task<T> OnAFreePortAsync<T>(Func<int, Task<T>> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start(FreePort.Next());
            }
            catch (Exception e) when (attempt < 3 && e.Message.Contains("already in use", StringComparison.OrdinalIgnoreCase))
            {
            }
        }
    }

    private Dictionary<string, string?> CallApiSettings(int gatewayPort) => new()
    {
        ["ConnectionStrings__neolia"] = DatabaseConnectionString,
        ["ConnectionStrings__redis"] = RedisConnectionString,
        ["Jwt__SigningKey"] = Secrets.JwtSigningKey,
        ["LiveKit__Url"] = $"ws://127.0.0.1:{gatewayPort}",
        ["LiveKit__ApiUrl"] = _options.LiveKitApiUrl,
        ["LiveKit__ApiKey"] = Secrets.LiveKitApiKey,
        ["LiveKit__ApiSecret"] = Secrets.LiveKitApiSecret,
        ["DataProtection__KeyEncryptionKey"] = Secrets.KeyEncryptionKey,
        ["Media__RelaySecret"] = Secrets.MediaRelaySecret,
        ["Seed__Enabled"] = _options.Seed ? "true" : "false",
        ["Seed__DemoPassword"] = Secrets.DemoPassword,
        ["Seed__DemoSipPassword"] = Secrets.DemoSipPassword,
    };

    /// <summary>
    /// The configuration keys each service gets from this stack, as the AppHost gives them (its tests compare the two):
    /// service name → keys (service discovery, logging and hosting keys left out).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyCollection<string>> SettingKeys(LocalStackOptions options)
    {
        var stack = new LocalStack(options);
        return new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["callapi"] = stack.CallApiSettings(0).Keys.ToList(),
            ["notifier"] = stack.NotifierSettings().Keys.ToList(),
        };
    }

    private Dictionary<string, string?> NotifierSettings() => new()
    {
        ["ConnectionStrings__redis"] = RedisConnectionString,
        ["Jwt__SigningKey"] = Secrets.JwtSigningKey,
    };

    private Dictionary<string, string?> GatewaySettings()
    {
        var settings = new Dictionary<string, string?>();
        settings.AddServiceEndpoints("callapi", _callApis);
        settings.AddServiceEndpoints("notifier", _notifiers);
        return settings;
    }

    /// <summary>Starts one more Notifier replica (not behind the gateway), e.g. to replace a killed one.</summary>
    public async Task<ServiceProcess> StartExtraNotifierAsync(string name)
    {
        var notifier = await StartServiceAsync(name, "Neolia.Notifier", NotifierSettings());
        _notifiers.Add(notifier);
        return notifier;
    }

    private Task<ServiceProcess> StartServiceAsync(string name, string project, Dictionary<string, string?> settings, int port = 0)
    {
        settings["ASPNETCORE_ENVIRONMENT"] = _options.Environment;
        if (_options.ExtraSettings.TryGetValue(name.Split('-')[0], out var extra))
        {
            foreach (var (key, value) in extra) settings[key] = value;
        }
        return ServiceProcess.StartAsync(name, project, port == 0 ? FreePort.Next() : port, settings, LogDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        var services = new List<ServiceProcess?> { Gateway };
        services.AddRange(_notifiers);
        services.AddRange(_callApis);
        foreach (var service in services.OfType<ServiceProcess>()) await service.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        if (Postgres is not null) await Postgres.DisposeAsync();
    }
}
