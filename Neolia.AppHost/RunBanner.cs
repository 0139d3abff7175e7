using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Neolia.AppHost;

/// <summary>
/// When the gateway is healthy under <c>aspire run</c> / <c>scripts/run.sh</c>: prints where everything is and writes
/// the stack file (<c>Neolia:StackFile</c>, git-ignored, owner-only) that scripts/ring-door.sh and scripts/listen.mjs
/// read; the file is removed when the AppHost stops, so a script never talks to a stack that is gone.
/// </summary>
public static class RunBanner
{
    public static void AddRunBanner(this IDistributedApplicationBuilder builder, InfrastructureMode mode,
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<ProjectResource> callApi,
        IResourceBuilder<ParameterResource> demoPassword,
        IResourceBuilder<ParameterResource> jwtSigningKey, IResourceBuilder<IResourceWithConnectionString> database, bool terminatesTls)
    {
        var stackFile = builder.Configuration["Neolia:StackFile"];
        var dashboard = DashboardLoginUrl(builder.Configuration);
        builder.Services.AddHostedService(sp => new StackFileRemover(stackFile));
        // Started before the orchestration (whose start waits for the resources), not as a hosted service after it.
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var reporter = new FailedResourceReporter(e.Services.GetRequiredService<ResourceNotificationService>(), e.Services.GetRequiredService<ResourceLoggerService>(),
                e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Neolia"));
            _ = reporter.WatchAsync(e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            return Task.CompletedTask;
        });

        builder.Eventing.Subscribe<ResourceReadyEvent>(gateway.Resource, async (e, ct) =>
        {
            var gatewayUrl = gateway.GetEndpoint("http").Url;
            var httpsUrl = terminatesTls ? gateway.GetEndpoint(EdgeTls.HttpsEndpoint).Url : null;
            // The scripts (ring-door.sh, listen.mjs) run on this machine: with TLS they use the gateway's internal plain
            // endpoint, which answers as without TLS, rather than trust the generated certificate.
            var scriptsUrl = terminatesTls ? gateway.GetEndpoint(EdgeTls.InternalEndpoint).Url : gatewayUrl;
            var callApiUrl = callApi.GetEndpoint("http").Url;
            if (!string.IsNullOrEmpty(stackFile))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(stackFile))!);
                await File.WriteAllTextAsync(stackFile, JsonSerializer.Serialize(new
                {
                    gateway = scriptsUrl,
                    gatewayHttps = httpsUrl,
                    callApi = callApiUrl,
                    dashboard,
                    demoPassword = await demoPassword.Resource.GetValueAsync(ct),
                    // For tools that provision data and mint tokens against the running stack (bench/Neolia.Bench --stack).
                    database = await database.Resource.GetConnectionStringAsync(ct),
                    jwtSigningKey = await jwtSigningKey.Resource.GetValueAsync(ct),
                }, new JsonSerializerOptions { WriteIndented = true }), ct);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stackFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Neolia");
            logger.LogInformation("""

                Neolia is running ({Mode} infrastructure).
                  Dashboard:  {Dashboard}
                  Gateway (the only public entry):  {Gateway}   POST /api/auth/login, /api/..., WS /ws?access_token=...
                  Gateway over TLS:  {GatewayHttps}
                  CallApi (private; Asterisk reaches it over ARI):  {CallApi}
                  Demo accounts (password: demoPassword in {StackFile}, or `dotnet user-secrets list --project Neolia.AppHost`):
                    alice@demo.neolia.test, bob@demo.neolia.test   residents of apartment 101
                    carol@demo.neolia.test                         resident of apartment 102
                    manager@demo.neolia.test                       tenant administrator of 'demo'
                    admin@neolia.test                              platform administrator
                  Ring a door (the admin's test call; a door with Asterisk: sipp, docs/call-flow.md):  scripts/ring-door.sh 101
                  Watch a resident's phone ring:      node --experimental-websocket scripts/listen.mjs alice@demo.neolia.test
                  Ctrl+C stops everything.
                """, mode.ToString().ToLowerInvariant(), dashboard ?? "(see the login URL above)", gatewayUrl,
                httpsUrl is null ? "off (plain HTTP only)" : $"{httpsUrl}   (self-signed development certificate; http redirects here)", callApiUrl,
                string.IsNullOrEmpty(stackFile) ? "(no stack file)" : stackFile);
        });
    }

    // scripts/run.sh fixes the dashboard's address and browser token, so the login link can be printed with the rest.
    private static string? DashboardLoginUrl(IConfiguration configuration)
    {
        var url = configuration["ASPNETCORE_URLS"]?.Split(';').FirstOrDefault();
        var token = configuration["AppHost:BrowserToken"];
        return url is null ? null : string.IsNullOrEmpty(token) ? url : $"{url.TrimEnd('/')}/login?t={token}";
    }

    private sealed class StackFileRemover(string? stackFile) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            if (!string.IsNullOrEmpty(stackFile)) File.Delete(stackFile);
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// A service that exits with an error (CallApi refusing its configuration, a port taken) leaves the banner unprinted
    /// and scripts/run.sh waiting: this says which one stopped, with the end of its output, on the AppHost's console.
    /// </summary>
    private sealed class FailedResourceReporter(ResourceNotificationService notifications, ResourceLoggerService logs, ILogger logger)
    {
        private const int LinesShown = 15;

        public async Task WatchAsync(CancellationToken stoppingToken)
        {
            var reported = new HashSet<string>();
            try
            {
                await foreach (var e in notifications.WatchAsync(stoppingToken))
                {
                    var state = e.Snapshot.State?.Text;
                    // Processes end "Finished" (containers "Exited"); an init step that ends with 0 is not a failure.
                    var failed = state == KnownResourceStates.FailedToStart
                        || ((state == KnownResourceStates.Finished || state == KnownResourceStates.Exited) && e.Snapshot.ExitCode is not (null or 0));
                    if (!failed || !reported.Add(e.ResourceId)) continue;
                    var tail = await TailAsync(e.ResourceId, stoppingToken);
                    logger.LogError("{Resource} stopped ({State}, exit code {ExitCode}); its last lines (all of them in the dashboard):{NewLine}{Tail}",
                        e.ResourceId, state, e.Snapshot.ExitCode?.ToString() ?? "none", Environment.NewLine, tail);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        }

        private async Task<string> TailAsync(string resourceId, CancellationToken ct)
        {
            var lines = new Queue<string>();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await foreach (var batch in logs.GetAllAsync(resourceId).WithCancellation(timeout.Token))
                {
                    // Stack frames say where, the lines around them say what: only the latter are shown.
                    foreach (var line in batch.Where(l => !IsStackFrame(l.Content)))
                    {
                        lines.Enqueue("    " + line.Content);
                        if (lines.Count > LinesShown) lines.Dequeue();
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            return lines.Count == 0 ? "    (no output)" : string.Join(Environment.NewLine, lines);
        }

        private static bool IsStackFrame(string line)
        {
            var text = line.Length > 28 && char.IsDigit(line[0]) && line.IndexOf(' ') is var space and > 0 ? line[(space + 1)..] : line; // after the timestamp
            text = text.TrimStart();
            return text.StartsWith("at ", StringComparison.Ordinal) || text.StartsWith("--- End of", StringComparison.Ordinal);
        }
    }
}
