using Microsoft.Playwright;
using Neolia.DevStack;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.AdminConsole;

/// <summary>
/// A real stack with the admin console behind its gateway (as the AppHost wires it: the gateway finds the console by
/// <c>services:adminconsole:http:0</c>, the console finds the gateway by <c>services:gateway:http:0</c>), and a
/// headless Chromium to use it. The console's port is chosen before the gateway starts, so the gateway knows it; the
/// console itself starts once the gateway it calls is up.
/// </summary>
public sealed class AdminConsoleFixture : StackFixture
{
    private readonly int _consolePort = FreePort.Next();
    private IPlaywright? _playwright;

    public ServiceProcess Console { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri ConsoleUrl => new(Stack.GatewayUrl, "/admin/");

    /// <summary>Where the screenshots go (printed by the tests that write them).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(RepositoryLayout.Root, "Neolia.Tests", "TestResults", "admin-console");

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["gateway"] = new Dictionary<string, string?> { ["services__adminconsole__http__0"] = $"http://127.0.0.1:{_consolePort}" },
        };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Console = await ServiceProcess.StartAsync("adminconsole", "Neolia.AdminConsole", _consolePort, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["services__gateway__http__0"] = Stack.GatewayUrl.ToString(),
        }, Stack.LogDirectory);

        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: run scripts/install-prerequisites.sh.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        // A Blazor circuit on two shared cores can take a few seconds to answer.
        Assertions.SetDefaultExpectTimeout(30_000);
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    /// <summary>A fresh browser profile (its own cookies) at desktop or phone size.</summary>
    public Task<IBrowserContext> NewBrowserAsync(int width = 1280, int height = 800) => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = ConsoleUrl.ToString(),
        ViewportSize = new ViewportSize { Width = width, Height = height },
        Permissions = ["clipboard-read", "clipboard-write"],
    });

    /// <summary>A tenant and its administrator, made through the API by the platform administrator.</summary>
    public Task<(Guid TenantId, string Email, string Password)> NewTenantAdminAsync() => NewTenantAdminAsync(this);

    public static async Task<(Guid TenantId, string Email, string Password)> NewTenantAdminAsync(StackFixture stack)
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var slug = "c" + Guid.NewGuid().ToString("N")[..10];
        var tenant = await platform.PostAsync("/api/admin/tenants", new { slug, name = $"Tenant {slug}" });
        var email = $"manager@{slug}.test";
        const string password = "Manager-password-1";
        await platform.PostAsync($"/api/admin/tenants/{tenant.Id()}/admins", new { email, displayName = $"Manager {slug}", password });
        return (tenant.Id(), email, password);
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Console is not null) await Console.DisposeAsync();
        await base.DisposeAsync();
    }
}
