using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.Tests.Infrastructure;

/// <summary>A tenant with one building, one door and its apartments, stored the way CallApi stores them.</summary>
public sealed record TestTenant(Guid Id, string Slug, Guid SiteId, string DoorSipUsername, IReadOnlyDictionary<string, Guid> Apartments);

public sealed record TestResident(Guid Id, string Email, string Password);

/// <summary>Arranges data straight in CallApi's database through CallApi's own types (Identity included).</summary>
public sealed class TestData(StackFixture stack)
{
    public async Task<TestTenant> CreateTenantAsync(params string[] apartmentNumbers)
    {
        var slug = "t" + Guid.NewGuid().ToString("N")[..10];
        await using var scope = stack.DataScope(out var db);
        var tenant = new Tenant { Slug = slug, Name = $"Tenant {slug}" };
        var site = new Site { TenantId = tenant.Id, Name = "Building" };
        var door = new Device { TenantId = tenant.Id, SiteId = site.Id, Kind = DeviceKind.DoorIntercom, Name = "Door", SipUsername = $"{slug}-door" };
        var apartments = apartmentNumbers.Select(n => new Apartment { TenantId = tenant.Id, SiteId = site.Id, Number = n }).ToList();
        db.AddRange(tenant, site, door);
        db.AddRange(apartments);
        await db.SaveChangesAsync();
        return new TestTenant(tenant.Id, slug, site.Id, door.SipUsername, apartments.ToDictionary(a => a.Number, a => a.Id));
    }

    public async Task<TestResident> AddResidentAsync(TestTenant tenant, string apartmentNumber, string? sipUsername = null)
    {
        await using var scope = stack.DataScope(out var db);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var email = $"r{Guid.NewGuid():N}@{tenant.Slug}.test";
        const string password = "Resident-password-1";
        var user = new User { TenantId = tenant.Id, UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Resident", SipUsername = sipUsername };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, NeoliaRoles.Resident));
        db.ApartmentMemberships.Add(new ApartmentMembership { TenantId = tenant.Id, UserId = user.Id, ApartmentId = tenant.Apartments[apartmentNumber] });
        await db.SaveChangesAsync();
        return new TestResident(user.Id, email, password);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
    }
}
