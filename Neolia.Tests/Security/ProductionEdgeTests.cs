using System.Net;
using Neolia.DevStack;

namespace Neolia.Tests.Security;

/// <summary>
/// The gateway as it runs in Production behind a load balancer that terminates TLS: HSTS on what reached it over HTTPS,
/// and the forwarded headers believed only from the configured proxy.
/// </summary>
public sealed class ProductionEdgeTests
{
    [Fact]
    public async Task Behind_a_trusted_proxy_https_answers_carry_HSTS_and_the_browser_protections()
    {
        var logs = Path.Combine(Path.GetTempPath(), "neolia-tests", "edge-" + Guid.NewGuid().ToString("N")[..8]);
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["services__callapi__http__0"] = "http://127.0.0.1:1",
            ["services__notifier__sockets__0"] = "http://127.0.0.1:1",
            ["Edge__TrustedProxies__0"] = "127.0.0.1",
        };
        await using var gateway = await ServiceProcess.StartAsync("gateway", "Neolia.Gateway", FreePort.Next(), settings, logs);
        using var client = new HttpClient { BaseAddress = gateway.Url };

        using var https = new HttpRequestMessage(HttpMethod.Get, "/api/calls");
        https.Headers.Host = "app.neolia.example";
        https.Headers.Add("X-Forwarded-Proto", "https");
        using var secure = await client.SendAsync(https);
        Assert.Contains("max-age=", secure.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.Equal("nosniff", secure.Headers.GetValues("X-Content-Type-Options").Single());

        using var plain = new HttpRequestMessage(HttpMethod.Get, "/api/calls");
        plain.Headers.Host = "app.neolia.example";
        using var insecure = await client.SendAsync(plain);
        Assert.False(insecure.Headers.Contains("Strict-Transport-Security"), "HSTS is sent over HTTPS only");
        Assert.Equal(HttpStatusCode.BadGateway, insecure.StatusCode); // routed on to CallApi, which is not there
    }
}
