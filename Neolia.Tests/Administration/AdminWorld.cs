using System.Runtime.CompilerServices;
using System.Text.Json;
using Neolia.CallApi.Seed;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Administration;

/// <summary>One tenant built entirely through the admin API: its administrator, a site, an apartment, a door, a monitor and a resident.</summary>
public sealed record AdminTenant(
    Guid TenantId, string Slug, ApiSession Admin, Guid SiteId, Guid ApartmentId, string ApartmentNumber,
    Guid DoorId, string DoorSipUsername, Guid MonitorId, Guid ResidentId, string ResidentEmail, ApiSession Resident)
{
    public IEnumerable<Guid> Ids => [TenantId, SiteId, ApartmentId, DoorId, MonitorId, ResidentId];
}

/// <summary>Two tenants A and B and the platform administrator, built once per stack.</summary>
public sealed record AdminWorld(ApiSession PlatformAdmin, AdminTenant A, AdminTenant B)
{
    public const string ResidentPassword = "Resident-password-1";
    private static readonly ConditionalWeakTable<StackFixture, Task<AdminWorld>> Worlds = new();

    public static Task<AdminWorld> OfAsync(StackFixture stack) => Worlds.GetValue(stack, CreateAsync);

    private static async Task<AdminWorld> CreateAsync(StackFixture stack)
    {
        var platform = await PlatformAdminAsync(stack);
        return new AdminWorld(platform, await CreateTenantAsync(stack, platform), await CreateTenantAsync(stack, platform));
    }

    public static Task<ApiSession> PlatformAdminAsync(StackFixture stack) => ApiSession.SignInAsync(stack, DevelopmentSeed.PlatformAdminEmail);

    public static async Task<AdminTenant> CreateTenantAsync(StackFixture stack, ApiSession platform, string apartmentNumber = "101")
    {
        var slug = "a" + Guid.NewGuid().ToString("N")[..10];
        var tenant = await platform.PostAsync("/api/admin/tenants", new { slug, name = $"Tenant {slug}" });
        var adminEmail = $"manager@{slug}.test";
        await platform.PostAsync($"/api/admin/tenants/{tenant.Id()}/admins", new { email = adminEmail, displayName = "Manager", password = "Manager-password-1" });
        var admin = await ApiSession.SignInAsync(stack, adminEmail, "Manager-password-1");

        var site = await admin.PostAsync("/api/admin/sites", new { name = "Building", address = "1 Main Street" });
        var apartment = await admin.PostAsync("/api/admin/apartments", new { siteId = site.Id(), number = apartmentNumber });
        var door = await admin.PostAsync("/api/admin/devices", new
        {
            siteId = site.Id(), kind = "door-intercom", name = "Main door", doorCode = "#1",
            rtspUrl = "rtsp://10.0.0.5:554/live?token=camera-secret", rtspUsername = "camuser", rtspPassword = "cam-password",
        });
        var monitor = await admin.PostAsync("/api/admin/devices", new { siteId = site.Id(), kind = "indoor-monitor", name = "Hall monitor", apartmentId = apartment.Id() });
        var residentEmail = $"resident@{slug}.test";
        var resident = await admin.PostAsync("/api/admin/residents", new
        {
            email = residentEmail, displayName = "Resident", password = ResidentPassword, apartmentIds = new[] { apartment.Id() },
        });
        return new AdminTenant(tenant.Id(), slug, admin, site.Id(), apartment.Id(), apartmentNumber,
            door.GetProperty("device").Id(), door.GetProperty("device").GetProperty("sipUsername").GetString()!,
            monitor.GetProperty("device").Id(), resident.Id(), residentEmail,
            await ApiSession.SignInAsync(stack, residentEmail, ResidentPassword));
    }

    /// <summary>What B looks like to the platform administrator: compared before and after A's attempts.</summary>
    public async Task<string> SnapshotOfBAsync(StackFixture stack)
    {
        string secrets;
        await using (var scope = stack.DataScope(out var db))
        {
            // What the API never shows: the SIP digests and the encrypted camera settings.
            secrets = string.Join(",", db.Devices.Where(d => d.TenantId == B.TenantId).OrderBy(d => d.Id)
                .Select(d => d.SipPasswordDigest + "|" + d.RtspUrlProtected + "|" + d.RtspPasswordProtected).ToList());
        }
        var parts = new List<JsonElement>
        {
            await PlatformAdmin.GetAsync($"/api/admin/tenants/{B.TenantId}"),
            await PlatformAdmin.GetAsync($"/api/admin/sites?tenantId={B.TenantId}"),
            await PlatformAdmin.GetAsync($"/api/admin/apartments?siteId={B.SiteId}"),
            await PlatformAdmin.GetAsync($"/api/admin/devices?siteId={B.SiteId}"),
            await PlatformAdmin.GetAsync($"/api/admin/residents?tenantId={B.TenantId}"),
        };
        return string.Join("\n", parts.Select(p => p.GetRawText())) + "\n" + secrets;
    }
}
