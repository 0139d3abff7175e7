using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.SipFallback;
using Neolia.Tests.Administration;
using Neolia.Tests.SipAccounts;
using Npgsql;
using static Neolia.Tests.SipAccounts.RealtimeRows;

namespace Neolia.Tests.SipFallback;

/// <summary>
/// The dialplan's fallback list of each apartment (<c>neolia_apartment_dials</c>), read as Asterisk reads it (its own
/// role, <c>SELECT *</c> by key): present as soon as the apartment exists, and following every change of its indoor
/// monitors, its residents and the apartment itself, in the same transaction as the change (the admin API's answer
/// comes after the commit, so the row is read right after it, with no waiting).
/// </summary>
[Collection(SipAccountsStackCollection.Name)]
public sealed class ApartmentDialRowsTests(SipAccountsStackFixture stack)
{
    private Task<AdminTenant> TenantAsync() => AdminWorld.PlatformAdminAsync(stack).ContinueWith(p => AdminWorld.CreateTenantAsync(stack, p.Result)).Unwrap();

    [Fact]
    public async Task An_apartment_has_its_row_as_soon_as_it_is_created_and_it_follows_its_indoor_monitors()
    {
        var tenant = await TenantAsync();
        var apartment = await tenant.Admin.PostAsync("/api/admin/apartments", new { siteId = tenant.SiteId, number = "7" });
        Assert.Empty(await DialAsync(tenant, "7"));

        var kitchen = await MonitorAsync(tenant, apartment.Id(), "Kitchen");
        Assert.Equal([Pjsip(kitchen.Username)], await DialAsync(tenant, "7"));
        var hall = await MonitorAsync(tenant, apartment.Id(), "Hall");
        Assert.Equal(new[] { Pjsip(kitchen.Username), Pjsip(hall.Username) }.Order(), (await DialAsync(tenant, "7")).Order());

        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{kitchen.Id}", new { name = "Kitchen", apartmentId = apartment.Id(), isActive = false });
        Assert.Equal([Pjsip(hall.Username)], await DialAsync(tenant, "7"));
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{kitchen.Id}", new { name = "Kitchen", apartmentId = apartment.Id(), isActive = true });
        Assert.Equal(2, (await DialAsync(tenant, "7")).Count);

        // Moved to the tenant's other apartment: off this list, onto that one.
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{kitchen.Id}", new { name = "Kitchen", apartmentId = tenant.ApartmentId, isActive = true });
        Assert.Equal([Pjsip(hall.Username)], await DialAsync(tenant, "7"));
        Assert.Contains(Pjsip(kitchen.Username), await DialAsync(tenant, tenant.ApartmentNumber));

        await tenant.Admin.OkAsync(HttpMethod.Delete, $"/api/admin/devices/{hall.Id}");
        Assert.Empty(await DialAsync(tenant, "7"));
    }

    [Fact]
    public async Task The_row_follows_the_residents_softphones_membership_and_activation()
    {
        var tenant = await TenantAsync();
        var apartment = await tenant.Admin.PostAsync("/api/admin/apartments", new { siteId = tenant.SiteId, number = "8" });
        var resident = await tenant.Admin.PostAsync("/api/admin/residents", new
        {
            email = $"eight@{tenant.Slug}.test", displayName = "Eight", password = AdminWorld.ResidentPassword, apartmentIds = new[] { apartment.Id() },
        });
        var softphone = Pjsip(await SoftphoneOfAsync(resident.Id()));
        Assert.Equal([softphone], await DialAsync(tenant, "8"));

        await tenant.Admin.OkAsync(HttpMethod.Delete, $"/api/admin/residents/{resident.Id()}/apartments/{apartment.Id()}");
        Assert.Empty(await DialAsync(tenant, "8"));
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/residents/{resident.Id()}/apartments/{apartment.Id()}");
        Assert.Equal([softphone], await DialAsync(tenant, "8"));

        await tenant.Admin.PostAsync($"/api/admin/residents/{resident.Id()}/deactivate");
        Assert.Empty(await DialAsync(tenant, "8"));
        await tenant.Admin.PostAsync($"/api/admin/residents/{resident.Id()}/reactivate");
        Assert.Equal([softphone], await DialAsync(tenant, "8"));

        // A monitor and a resident: both rung, the monitor first (as CallApi dials them).
        var monitor = await MonitorAsync(tenant, apartment.Id(), "Hall");
        Assert.Equal([Pjsip(monitor.Username), softphone], await DialAsync(tenant, "8"));
    }

    [Fact]
    public async Task Renaming_an_apartment_moves_its_row_to_the_new_number_and_deleting_it_removes_the_row()
    {
        var tenant = await TenantAsync();
        var apartment = await tenant.Admin.PostAsync("/api/admin/apartments", new { siteId = tenant.SiteId, number = "9" });
        var monitor = await MonitorAsync(tenant, apartment.Id(), "Hall");

        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/apartments/{apartment.Id()}", new { number = "90" });
        Assert.Null(await RowAsync(tenant, "9"));
        Assert.Equal([Pjsip(monitor.Username)], await DialAsync(tenant, "90"));

        // The monitor stays, its apartment is gone (set to none): nothing is left that the door could dial.
        await tenant.Admin.OkAsync(HttpMethod.Delete, $"/api/admin/apartments/{apartment.Id()}");
        Assert.Null(await RowAsync(tenant, "90"));
        await using var asterisk = stack.AsteriskConnection();
        Assert.Empty(await RowsAsync(asterisk, ApartmentDial.Table, "apartment_id::text", apartment.Id().ToString()));
    }

    [Fact]
    public async Task The_same_number_in_two_tenants_and_in_two_sites_of_one_tenant_has_a_row_of_its_own_each()
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var a = await AdminWorld.CreateTenantAsync(stack, platform, apartmentNumber: "42");
        var b = await AdminWorld.CreateTenantAsync(stack, platform, apartmentNumber: "42");
        var otherSite = await a.Admin.PostAsync("/api/admin/sites", new { name = "Annex", address = "2 Main Street" });
        var annex42 = await a.Admin.PostAsync("/api/admin/apartments", new { siteId = otherSite.Id(), number = "42" });
        var annexMonitor = await MonitorAsync(a, annex42.Id(), "Annex hall", otherSite.Id());

        var aDial = await DialAsync(a, "42");
        var bDial = await DialAsync(b, "42");
        var annexDial = await DialAsync(a, "42", otherSite.Id());
        Assert.Equal([Pjsip(await MonitorUsernameAsync(a.MonitorId)), Pjsip(await SoftphoneOfAsync(a.ResidentId))], aDial);
        Assert.Equal([Pjsip(await MonitorUsernameAsync(b.MonitorId)), Pjsip(await SoftphoneOfAsync(b.ResidentId))], bDial);
        Assert.Equal([Pjsip(annexMonitor.Username)], annexDial);
        Assert.Empty(aDial.Intersect(bDial));

        // B's change leaves A's row alone.
        await b.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{b.MonitorId}", new { name = "Hall monitor", apartmentId = b.ApartmentId, isActive = false });
        Assert.Equal(aDial, await DialAsync(a, "42"));
        Assert.Single(await DialAsync(b, "42"));
    }

    [Fact]
    public async Task Monitors_and_residents_added_to_one_apartment_at_the_same_time_all_reach_its_row()
    {
        var tenant = await TenantAsync();
        var apartment = await tenant.Admin.PostAsync("/api/admin/apartments", new { siteId = tenant.SiteId, number = "11" });
        var monitors = Enumerable.Range(1, 6).Select(i => MonitorAsync(tenant, apartment.Id(), $"Monitor {i}")).ToList();
        var residents = Enumerable.Range(1, 4).Select(i => tenant.Admin.PostAsync("/api/admin/residents", new
        {
            email = $"r{i}@{tenant.Slug}.test", displayName = $"R{i}", password = AdminWorld.ResidentPassword, apartmentIds = new[] { apartment.Id() },
        })).ToList();
        var created = await Task.WhenAll(monitors);
        var expected = created.Select(m => Pjsip(m.Username)).ToList();
        foreach (var resident in await Task.WhenAll(residents)) expected.Add(Pjsip(await SoftphoneOfAsync(resident.Id())));
        Assert.Equal(expected.Order(), (await DialAsync(tenant, "11")).Order());
    }

    [Fact]
    public async Task Asterisks_role_can_read_the_rows_and_write_none()
    {
        var tenant = await TenantAsync();
        await using var asterisk = stack.AsteriskConnection();
        await asterisk.OpenAsync();
        await using var insert = new NpgsqlCommand($"INSERT INTO {ApartmentDial.Table} (id, apartment_id, dial) VALUES ('x/y/z', '{tenant.ApartmentId}', 'PJSIP/intruder')", asterisk);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        await using var update = new NpgsqlCommand($"UPDATE {ApartmentDial.Table} SET dial = 'PJSIP/intruder'", asterisk);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync())).SqlState);
        Assert.NotEmpty(await DialAsync(tenant, tenant.ApartmentNumber));
    }

    private sealed record Monitor(Guid Id, string Username);

    private static string Pjsip(string endpoint) => $"PJSIP/{endpoint}";

    private static async Task<Monitor> MonitorAsync(AdminTenant tenant, Guid apartmentId, string name, Guid? siteId = null)
    {
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = siteId ?? tenant.SiteId, kind = "indoor-monitor", name, apartmentId });
        var device = created.GetProperty("device");
        return new Monitor(device.Id(), device.GetProperty("sipUsername").GetString()!);
    }

    private async Task<string> SoftphoneOfAsync(Guid userId)
    {
        await using var scope = stack.DataScope(out var db);
        return await db.Users.Where(u => u.Id == userId).Select(u => u.SipUsername!).SingleAsync();
    }

    private async Task<string> MonitorUsernameAsync(Guid deviceId)
    {
        await using var scope = stack.DataScope(out var db);
        db.TenantScope = Neolia.CallApi.Data.TenantScope.All;
        return await db.Devices.Where(d => d.Id == deviceId).Select(d => d.SipUsername).SingleAsync();
    }

    private async Task<Dictionary<string, string?>?> RowAsync(AdminTenant tenant, string number, Guid? siteId = null)
    {
        await using var asterisk = stack.AsteriskConnection();
        return await RealtimeRows.RowAsync(asterisk, ApartmentDial.Table, ApartmentDial.KeyOf(tenant.Slug, siteId ?? tenant.SiteId, number));
    }

    /// <summary>The apartment's dial list as Asterisk reads it; the row must exist.</summary>
    private async Task<List<string>> DialAsync(AdminTenant tenant, string number, Guid? siteId = null)
    {
        var row = await RowAsync(tenant, number, siteId);
        Assert.True(row is not null, $"no row for apartment {number} of {tenant.Slug}");
        var dial = row[ApartmentDial.DialColumn] ?? "";
        return dial.Length == 0 ? [] : [.. dial.Split('&')];
    }
}
