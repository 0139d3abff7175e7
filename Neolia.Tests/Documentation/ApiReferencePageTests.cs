using System.Diagnostics;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Documentation;

/// <summary>
/// The browsable API reference (Scalar, Development) rendered by a real browser through the gateway: it must show
/// the API, point "try it" at the gateway (not at CallApi's private address) and leave the private webhooks out.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ApiReferencePageTests(StackFixture stack)
{
    [Fact]
    public async Task The_api_reference_renders_in_a_browser_with_the_gateway_as_its_server()
    {
        var dom = await RenderAsync(new Uri(stack.Stack.GatewayUrl, "/scalar/"));

        Assert.Contains("Neolia.CallApi", dom);
        Assert.Contains("Admin: tenants", dom);
        Assert.Contains("Push registrations", dom);
        Assert.Contains(stack.Stack.GatewayUrl.Authority, dom);
        Assert.DoesNotContain(stack.Stack.CallApiUrl.Authority, dom);
        Assert.DoesNotContain("/webhook/", dom);
    }

    /// <summary>Headless Chromium runs the page's scripts, then prints the resulting DOM.</summary>
    private static async Task<string> RenderAsync(Uri page)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: run scripts/install-prerequisites.sh.");
        var profile = Directory.CreateTempSubdirectory("neolia-chromium-");
        try
        {
            var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", $"--user-data-dir={profile.FullName}",
                "--virtual-time-budget=15000", "--dump-dom", page.ToString(),
            }) info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var dom = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return await dom;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
