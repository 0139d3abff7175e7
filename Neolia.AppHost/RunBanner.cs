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
}
