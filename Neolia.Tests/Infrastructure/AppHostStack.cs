using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neolia.AppHost.Tests;
using Neolia.DevStack;
using Npgsql;

namespace Neolia.Tests.Infrastructure;

/// <summary>
/// The AppHost itself, started by Aspire.Hosting.Testing in its local-processes mode (PostgreSQL and Redis from the
/// machine's packages, each service a process run by DCP): the wiring that ships, with the secrets of
/// <see cref="StackSecrets"/> given as its parameters and a fixture's own settings added to its services' environment.
/// Asterisk is left out of the model (the tests give CallApi a stand-in's ARI), and so is LiveKit (the stand-in's API).
/// </summary>
public sealed class AppHostStack : IStackUnderTest
{
    private readonly DistributedApplication _app;
    private readonly string _stateDirectory;
    private readonly CancellationTokenSource _stopLogs = new();
    private readonly List<Task> _logWriters = [];

    private AppHostStack(DistributedApplication app, string stateDirectory, StackSecrets secrets)
    {
        (_app, _stateDirectory, Secrets) = (app, stateDirectory, secrets);
        LogDirectory = Path.Combine(stateDirectory, "logs");
    }

    public Uri GatewayUrl { get; private set; } = null!;
    public Uri CallApiUrl { get; private set; } = null!;
    public string DatabaseConnectionString { get; private set; } = "";
    public string RedisConnectionString { get; private set; } = "";
    public StackSecrets Secrets { get; }
    public string LogDirectory { get; }

    /// <param name="settings">Per service (resource name): environment variables added after the AppHost's own, so they win.</param>
    public static async Task<AppHostStack> StartAsync(string stateDirectory, StackSecrets secrets, int notifierReplicas,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> settings)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var args = AppHostArguments.Local(stateDirectory, secrets, notifierReplicas);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Neolia_AppHost>(args, timeout.Token);
        // The services' own output goes to LogDirectory; the test log gets the AppHost's warnings only.
        builder.Services.AddLogging(logging => logging.AddFilter((category, level) =>
            level >= LogLevel.Warning && category?.StartsWith("Neolia.AppHost.Resources", StringComparison.Ordinal) != true));
        foreach (var (service, values) in settings)
        {
            var project = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == service));
            foreach (var (key, value) in values) project.WithEnvironment(key, value);
        }
        // The gateway and CallApi listen on their own ports, not behind DCP's proxy: what a client's TCP connection
        // meets (keep-alive, header timeouts, closes) is then theirs, as in a deployment.
        foreach (var service in new[] { "gateway", "callapi" })
        {
            var port = FreePort.Next();
            builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == service))
                .WithEndpoint("http", endpoint => { endpoint.IsProxied = false; endpoint.Port = port; endpoint.TargetPort = port; });
        }

        var app = await builder.BuildAsync(timeout.Token);
        var stack = new AppHostStack(app, stateDirectory, secrets);
        try
        {
            await app.StartAsync(timeout.Token);
            stack.WriteLogs();
            foreach (var resource in StackStates.Resources) await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            stack.GatewayUrl = app.GetEndpoint("gateway", "http");
            stack.CallApiUrl = app.GetEndpoint("callapi", "http");
            // A name of its own, so the tests' connections get a data source of their own: the AppHost runs in this
            // process and its health check's connections loaded the database's types before CallApi's migrations made them.
            stack.DatabaseConnectionString = new NpgsqlConnectionStringBuilder(
                await app.GetConnectionStringAsync("neolia", timeout.Token) ?? throw new InvalidOperationException("No connection string for neolia."))
                { ApplicationName = "neolia-tests" }.ConnectionString;
            stack.RedisConnectionString = await app.GetConnectionStringAsync("redis", timeout.Token) ?? throw new InvalidOperationException("No connection string for redis.");
            return stack;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var states = await StackStates.DescribeAsync(app);
            await stack.DisposeAsync();
            throw new TimeoutException($"The AppHost's stack did not become healthy in 3 minutes:\n{states}\nLogs: {stack.LogDirectory}");
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public int ProcessIdOf(string service)
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var state = _app.ResourceNotifications.WaitForResourceAsync(service, e => Pid(e) is not null, wait.Token).GetAwaiter().GetResult();
        // DCP starts a project as `dotnet run --no-build`, whose child is the service itself.
        var pid = Pid(state)!.Value;
        while (File.ReadAllText($"/proc/{pid}/cmdline").StartsWith("dotnet\0run\0", StringComparison.Ordinal)
               && File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var child])
        {
            pid = int.Parse(child);
        }
        return pid;

        static int? Pid(ResourceEvent e) =>
            e.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value && int.TryParse(value.ToString(), out var pid) ? pid : null;
    }

    public int PortOf(string service, string endpoint) => _app.GetEndpoint(service, endpoint).Port;

    /// <summary>Each service instance's console output into <c>logs/&lt;name&gt;.log</c>, as DevStack writes them (a replica by its instance name).</summary>
    private void WriteLogs()
    {
        Directory.CreateDirectory(LogDirectory);
        var logs = _app.Services.GetRequiredService<ResourceLoggerService>();
        var started = new HashSet<string>();
        _logWriters.Add(Task.Run(async () =>
        {
            try
            {
                await foreach (var e in _app.ResourceNotifications.WatchAsync(_stopLogs.Token))
                {
                    if (e.Resource is not ProjectResource project || !started.Add(e.ResourceId)) continue;
                    var replicated = project.Annotations.OfType<ReplicaAnnotation>().Any(r => r.Replicas > 1);
                    var file = Path.Combine(LogDirectory, $"{(replicated ? e.ResourceId : project.Name)}.log");
                    lock (_logWriters) _logWriters.Add(CopyAsync(logs, e.ResourceId, file));
                }
            }
            catch (OperationCanceledException) { }
        }));
    }

    private async Task CopyAsync(ResourceLoggerService logs, string instance, string file)
    {
        await using var writer = new StreamWriter(new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8) { AutoFlush = true };
        try
        {
            await foreach (var batch in logs.WatchAsync(instance).WithCancellation(_stopLogs.Token))
            {
                foreach (var line in batch) await writer.WriteLineAsync(line.Content);
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _stopLogs.CancelAsync();
        Task[] writers;
        lock (_logWriters) writers = [.. _logWriters];
        await Task.WhenAll(writers);
        _stopLogs.Dispose();
        try { Directory.Delete(_stateDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
