using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Auth;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.Bench;

public sealed record BenchResident(Guid Id, string Email, int Apartment);

/// <summary>The bench's own tenant: one building, one door, apartments "1".."A" and K residents each.</summary>
public sealed record BenchTenant(string Slug, string DoorSipUsername, int Apartments, IReadOnlyList<BenchResident> Residents, string Password)
{
    public static string ApartmentNumber(int index) => (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Writes the bench's tenant straight into CallApi's database through CallApi's own types. Users are inserted in
/// bulk with one password hash computed once (hashing 10,000 passwords would take minutes).
/// </summary>
public static class Provisioner
{
    public static async Task<BenchTenant> CreateAsync(string connectionString, int residents, int perApartment)
    {
        using var host = DataHost(connectionString);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        db.TenantScope = TenantScope.All;
        db.ChangeTracker.AutoDetectChangesEnabled = false;

        var slug = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var password = "Bench-" + Guid.NewGuid().ToString("N")[..12] + "-1";
        var passwordHash = new PasswordHasher<User>().HashPassword(null!, password);

        var tenant = new Tenant { Slug = slug, Name = $"Benchmark {slug}" };
        var site = new Site { TenantId = tenant.Id, Name = "Bench building" };
        var door = new Device { TenantId = tenant.Id, SiteId = site.Id, Kind = DeviceKind.DoorIntercom, Name = "Bench door", SipUsername = $"{slug}-door" };
        var apartmentCount = (residents + perApartment - 1) / perApartment;
        var apartments = Enumerable.Range(0, apartmentCount)
            .Select(i => new Apartment { TenantId = tenant.Id, SiteId = site.Id, Number = BenchTenant.ApartmentNumber(i) }).ToList();
        db.AddRange(tenant, site, door);
        db.AddRange(apartments);
        await db.SaveChangesAsync();

        var residentRole = await db.Roles.Where(r => r.NormalizedName == NeoliaRoles.Resident.ToUpperInvariant()).Select(r => (Guid?)r.Id).FirstOrDefaultAsync();
        var created = new List<BenchResident>(residents);
        const int chunk = 2000;
        for (var start = 0; start < residents; start += chunk)
        {
            db.ChangeTracker.Clear();
            for (var i = start; i < Math.Min(residents, start + chunk); i++)
            {
                var email = $"r{i}@{slug}.bench";
                var user = new User
                {
                    TenantId = tenant.Id,
                    UserName = email,
                    NormalizedUserName = email.ToUpperInvariant(),
                    Email = email,
                    NormalizedEmail = email.ToUpperInvariant(),
                    EmailConfirmed = true,
                    DisplayName = $"Resident {i}",
                    PasswordHash = passwordHash,
                    SecurityStamp = Guid.NewGuid().ToString("N"),
                    ConcurrencyStamp = Guid.NewGuid().ToString(),
                };
                var apartment = i / perApartment;
                db.Users.Add(user);
                db.ApartmentMemberships.Add(new ApartmentMembership { TenantId = tenant.Id, UserId = user.Id, ApartmentId = apartments[apartment].Id });
                if (residentRole is { } roleId) db.UserRoles.Add(new IdentityUserRole<Guid> { UserId = user.Id, RoleId = roleId });
                created.Add(new BenchResident(user.Id, email, apartment));
            }
            await db.SaveChangesAsync();
        }
        return new BenchTenant(slug, door.SipUsername, apartmentCount, created, password);
    }

    /// <summary>
    /// Access tokens exactly as CallApi signs them at sign-in (its own <see cref="AccessTokenIssuer"/> with the stack's
    /// key): signing 10,000 residents in would mostly measure password hashing.
    /// </summary>
    public static IReadOnlyList<string> MintAccessTokens(string signingKey, string tenantSlug, Guid tenantId, IReadOnlyList<BenchResident> residents)
    {
        var issuer = new AccessTokenIssuer(Options.Create(new JwtOptions { SigningKey = signingKey, AccessTokenLifetime = TimeSpan.FromHours(12) }), TimeProvider.System);
        return residents.Select(r => issuer.Issue(
            new User { Id = r.Id, TenantId = tenantId, Email = r.Email, UserName = r.Email, DisplayName = r.Email }, [NeoliaRoles.Resident]).Token).ToList();
    }

    public static async Task<Guid> TenantIdAsync(string connectionString, string slug)
    {
        using var host = DataHost(connectionString);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        db.TenantScope = TenantScope.All;
        return await db.Tenants.Where(t => t.Slug == slug).Select(t => t.Id).SingleAsync();
    }

    private static IHost DataHost(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Bench", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:neolia"] = connectionString });
        builder.AddNeoliaData();
        return builder.Build();
    }
}
