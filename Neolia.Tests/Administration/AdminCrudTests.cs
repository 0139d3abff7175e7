using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Administration;

/// <summary>The admin API's own behaviour: secrets shown once, conflicts, paging, self-service, documentation.</summary>
[Collection(StackCollection.Name)]
public sealed class AdminCrudTests(StackFixture stack)
{
    [Fact]
    public async Task A_devices_SIP_password_is_shown_once_and_stored_only_as_its_HA1_digest()
    {
        var world = await AdminWorld.OfAsync(stack);
        var created = await world.A.Admin.PostAsync("/api/admin/devices", new { siteId = world.A.SiteId, kind = "door-intercom", name = "Back door" });
        var device = created.GetProperty("device");
        var username = device.GetProperty("sipUsername").GetString()!;
        var password = created.GetProperty("sipPassword").GetString()!;

        Assert.StartsWith($"{world.A.Slug}-door-", username);
        Assert.True(password.Length >= 20);
        Assert.Equal(Ha1(username, "asterisk", password), await DigestOfAsync(device.Id()));
        var fetched = await world.A.Admin.GetAsync($"/api/admin/devices/{device.Id()}");
        Assert.DoesNotContain(password, fetched.GetRawText());
        Assert.False(fetched.TryGetProperty("sipPassword", out _));

        var reset = await world.A.Admin.PostAsync($"/api/admin/devices/{device.Id()}/sip-password");
        var newPassword = reset.GetProperty("sipPassword").GetString()!;
        Assert.NotEqual(password, newPassword);
        Assert.Equal(Ha1(username, "asterisk", newPassword), await DigestOfAsync(device.Id()));
    }

    [Fact]
    public async Task Camera_settings_are_stored_encrypted_with_keys_in_PostgreSQL_and_only_the_host_is_shown()
    {
        var world = await AdminWorld.OfAsync(stack);

        var door = await world.A.Admin.GetAsync($"/api/admin/devices/{world.A.DoorId}");

        Assert.Equal("10.0.0.5:554", door.GetProperty("camera").GetProperty("host").GetString());
        Assert.True(door.GetProperty("camera").GetProperty("hasCredentials").GetBoolean());
        Assert.DoesNotContain("camera-secret", door.GetRawText());
        Assert.DoesNotContain("cam-password", door.GetRawText());
        await using (var scope = stack.DataScope(out var db))
        {
            var stored = await db.Devices.SingleAsync(d => d.Id == world.A.DoorId);
            Assert.DoesNotContain("camera-secret", stored.RtspUrlProtected);
            Assert.DoesNotContain("cam-password", stored.RtspPasswordProtected);
            Assert.DoesNotContain("camuser", stored.RtspUsernameProtected);
            Assert.True(await db.DataProtectionKeys.AnyAsync(), "the Data Protection key ring is kept in PostgreSQL");
        }

        var replaced = await world.A.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{world.A.MonitorId}/camera", new { rtspUrl = "rtsp://cam.local/stream" });
        Assert.Equal("cam.local", replaced.GetProperty("camera").GetProperty("host").GetString());
        Assert.False(replaced.GetProperty("camera").GetProperty("hasCredentials").GetBoolean());
        await world.A.Admin.OkAsync(HttpMethod.Delete, $"/api/admin/devices/{world.A.MonitorId}/camera");
        Assert.Equal(JsonValueKind.Null, (await world.A.Admin.GetAsync($"/api/admin/devices/{world.A.MonitorId}")).GetProperty("camera").ValueKind);
    }

    [Fact]
    public async Task Duplicates_answer_409()
    {
        var world = await AdminWorld.OfAsync(stack);

        await AssertConflictAsync(world.A.Admin, "/api/admin/apartments", new { siteId = world.A.SiteId, number = world.A.ApartmentNumber });
        await AssertConflictAsync(world.PlatformAdmin, "/api/admin/tenants", new { slug = world.A.Slug, name = "Again" });
        await AssertConflictAsync(world.A.Admin, "/api/admin/sites", new { name = "Building" });
        await AssertConflictAsync(world.A.Admin, "/api/admin/residents", new { email = world.B.ResidentEmail, displayName = "Twin", password = "Twin-password-1" });
        // The same number in another site of the same tenant is fine: the door dials within its own site.
        var otherSite = await world.A.Admin.PostAsync("/api/admin/sites", new { name = $"Annex {Guid.NewGuid():N}" });
        await world.A.Admin.PostAsync("/api/admin/apartments", new { siteId = otherSite.Id(), number = world.A.ApartmentNumber });
    }

    [Fact]
    public async Task Lists_page_with_page_and_pageSize()
    {
        var world = await AdminWorld.OfAsync(stack);
        var site = await world.A.Admin.PostAsync("/api/admin/sites", new { name = $"Paging {Guid.NewGuid():N}" });
        foreach (var number in new[] { "1", "2", "3" }) await world.A.Admin.PostAsync("/api/admin/apartments", new { siteId = site.Id(), number });

        var first = await world.A.Admin.GetAsync($"/api/admin/apartments?siteId={site.Id()}&page=1&pageSize=2");
        var second = await world.A.Admin.GetAsync($"/api/admin/apartments?siteId={site.Id()}&page=2&pageSize=2");

        Assert.Equal(3, first.GetProperty("totalCount").GetInt32());
        Assert.Equal(2, first.GetProperty("pageSize").GetInt32());
        Assert.Equal(["1", "2", "3"], first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(a => a.GetProperty("number").GetString()!).ToArray());
    }

    [Fact]
    public async Task A_platform_administrator_sees_every_tenant_and_must_say_which_one_to_create_in()
    {
        var world = await AdminWorld.OfAsync(stack);

        var site = await world.PlatformAdmin.PostAsync("/api/admin/sites", new { tenantId = world.B.TenantId, name = $"Made by platform {Guid.NewGuid():N}" });
        Assert.Equal(world.B.TenantId, site.GetProperty("tenantId").GetGuid());
        var bSites = await world.B.Admin.GetAsync("/api/admin/sites?pageSize=200");
        Assert.Contains(bSites.GetProperty("items").EnumerateArray(), s => s.Id() == site.Id());
        var aSites = await world.A.Admin.GetAsync("/api/admin/sites?pageSize=200");
        Assert.All(aSites.GetProperty("items").EnumerateArray(), s => Assert.Equal(world.A.TenantId, s.GetProperty("tenantId").GetGuid()));
    }

    [Fact]
    public async Task Me_shows_the_residents_profile_and_apartments()
    {
        var world = await AdminWorld.OfAsync(stack);

        var me = await world.A.Resident.GetAsync("/api/me");

        Assert.Equal(world.A.ResidentId, me.Id());
        Assert.Equal(world.A.TenantId, me.GetProperty("tenantId").GetGuid());
        Assert.Equal(["resident"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        var apartment = Assert.Single(me.GetProperty("apartments").EnumerateArray());
        Assert.Equal(world.A.ApartmentId, apartment.Id());
        Assert.Equal("Building", apartment.GetProperty("siteName").GetString());
    }

    [Fact]
    public async Task Changing_the_password_signs_out_other_devices_and_the_new_one_works()
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        var otherDevice = await stack.LoginAsync(tenant.ResidentEmail, AdminWorld.ResidentPassword);

        var fresh = await tenant.Resident.PostAsync("/api/me/password", new { currentPassword = AdminWorld.ResidentPassword, newPassword = "Brand-new-password-2" });

        Assert.False(string.IsNullOrEmpty(fresh.GetProperty("accessToken").GetString()));
        using (var refresh = await stack.Gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = otherDevice.RefreshToken }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        }
        using (var oldPassword = await stack.Gateway.PostAsJsonAsync("/api/auth/login", new { email = tenant.ResidentEmail, password = AdminWorld.ResidentPassword }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        }
        await stack.LoginAsync(tenant.ResidentEmail, "Brand-new-password-2");
        using var refreshed = await stack.Gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = fresh.GetProperty("refreshToken").GetString() });
        await refreshed.EnsureSuccessWithBodyAsync();
    }

    [Fact]
    public async Task Deleting_answers_409_while_in_use_and_204_when_empty()
    {
        var world = await AdminWorld.OfAsync(stack);
        using (var inUse = await world.A.Admin.SendAsync(HttpMethod.Delete, $"/api/admin/sites/{world.A.SiteId}"))
        {
            Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        }
        var site = await world.A.Admin.PostAsync("/api/admin/sites", new { name = $"Short-lived {Guid.NewGuid():N}" });
        using var deleted = await world.A.Admin.SendAsync(HttpMethod.Delete, $"/api/admin/sites/{site.Id()}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await world.A.Admin.SendAsync(HttpMethod.Get, $"/api/admin/sites/{site.Id()}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_and_the_Scalar_UI_are_served_through_the_gateway()
    {
        using var document = await stack.Gateway.GetAsync("/openapi/v1.json");
        await document.EnsureSuccessWithBodyAsync();
        Assert.Contains("/api/admin/devices", await document.Content.ReadAsStringAsync());

        using var ui = await stack.Gateway.GetAsync("/scalar/");
        await ui.EnsureSuccessWithBodyAsync();
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertConflictAsync(ApiSession session, string path, object body)
    {
        using var response = await session.SendAsync(HttpMethod.Post, path, body);
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"POST {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<string?> DigestOfAsync(Guid deviceId)
    {
        await using var scope = stack.DataScope(out var db);
        return await db.Devices.Where(d => d.Id == deviceId).Select(d => d.SipPasswordDigest).SingleAsync();
    }

    private static string Ha1(string user, string realm, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{user}:{realm}:{password}")));
}
