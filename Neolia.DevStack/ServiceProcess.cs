using System.Text.Json;

namespace Neolia.DevStack;

/// <summary>One of the Neolia services, run from its build output as the AppHost would run it (same configuration keys).</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly ManagedProcess _process;

    private ServiceProcess(string name, ManagedProcess process, IReadOnlyDictionary<string, Uri> endpoints)
    {
        Name = name;
        _process = process;
        Endpoints = endpoints;
    }

    public string Name { get; }

    /// <summary>The service's <c>http</c> endpoint (health, API).</summary>
    public Uri Url => Endpoints["http"];

    /// <summary>Every endpoint by name, <c>http</c> included: a service may declare more in its Kestrel:Endpoints.</summary>
    public IReadOnlyDictionary<string, Uri> Endpoints { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public Task Exited() => _process.Exited;

    public static async Task<ServiceProcess> StartAsync(string name, string project, int port,
        IReadOnlyDictionary<string, string?> settings, string logDirectory)
    {
        var dll = RepositoryLayout.BuildOutput(project);
        var url = new Uri($"http://127.0.0.1:{port}");
        var environment = new Dictionary<string, string?>(settings)
        {
            ["DOTNET_NOLOGO"] = "1",
            // Each replica reports under its own name (logs, Redis client name, consumer names).
            ["OTEL_SERVICE_NAME"] = name,
        };
        // As the AppHost does: a service that declares Kestrel endpoints in its appsettings.json (the Notifier's h2c
        // endpoint for the gateway) gets each one's URL by name, on a port of its own; the others get ASPNETCORE_URLS.
        var endpoints = new Dictionary<string, Uri> { ["http"] = url };
        var declared = DeclaredKestrelEndpoints(Path.Combine(Path.GetDirectoryName(dll)!, "appsettings.json"));
        if (declared.Count == 0) environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        foreach (var endpoint in declared)
        {
            if (endpoint != "http") endpoints[endpoint] = new Uri($"http://127.0.0.1:{FreePort.Next()}");
            environment[$"Kestrel__Endpoints__{endpoint}__Url"] = endpoints[endpoint].ToString().TrimEnd('/');
        }
        var process = ManagedProcess.Start(name, "dotnet", [dll], environment, Path.Combine(logDirectory, $"{name}.log"),
            workingDirectory: Path.GetDirectoryName(dll));
        var service = new ServiceProcess(name, process, endpoints);
        await service.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        return service;
    }

    private static IReadOnlyList<string> DeclaredKestrelEndpoints(string appSettings)
    {
        if (!File.Exists(appSettings)) return [];
        using var json = JsonDocument.Parse(File.ReadAllText(appSettings), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return json.RootElement.TryGetProperty("Kestrel", out var kestrel) && kestrel.TryGetProperty("Endpoints", out var declared)
            ? [.. declared.EnumerateObject().Select(e => e.Name)]
            : [];
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.Exited; // lets the last lines of output arrive before they are quoted
                throw new InvalidOperationException($"{Name} exited at start (code {_process.ExitCode}). Its last output:\n{_process.Tail()}");
            }
            try
            {
                using var response = await Probe.GetAsync(new Uri(Url, "/health"));
                if (response.IsSuccessStatusCode) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{Name} was not healthy after {timeout.TotalSeconds} s ({last}). Its last output:\n{_process.Tail()}");
    }

    /// <summary>Kills the service at once, as a crash would (no graceful shutdown).</summary>
    public void Kill() => _process.Kill();

    public string Tail() => _process.Tail();

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
