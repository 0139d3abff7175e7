using Microsoft.Playwright;
using Neolia.DevStack;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.AdminConsole;

/// <summary>
/// The AppHost's stack, whose gateway serves the admin console at <c>/admin</c> as it ships (the console finds the
/// gateway by service discovery), and a headless Chromium to use it.
/// </summary>
public sealed class AdminConsoleFixture : StackFixture
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public Uri ConsoleUrl => new(Stack.GatewayUrl, "/admin/");

    /// <summary>Where the screenshots go (printed by the tests that write them).</summary>
    public string ScreenshotDirectory { get; } = Path.Combine(RepositoryLayout.Root, "Neolia.Tests", "TestResults", "admin-console");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

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
        await base.DisposeAsync();
    }
}
