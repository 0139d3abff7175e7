using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Sites;
using Neolia.CallApi.SipAccounts;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Seed;

/// <summary>
/// Demo data for a developer's stack: tenant <c>demo</c>, one building with one door and apartments 101 and 102,
/// and their residents. Applied once, only when <c>Seed:Enabled</c> is true. The SIP accounts are made the way the admin
/// API makes them: Asterisk's realtime rows, saved with the door and the residents.
/// </summary>
public static class DevelopmentSeed
{
    public const string TenantSlug = "demo";
    public const string DoorSipUsername = "demo-door-1";
    public const string EmailDomain = "demo.neolia.test";

    /// <summary>Who the seed creates: e-mail local part, display name, apartment (null: tenant administrator), SIP account.</summary>
    public static readonly IReadOnlyList<(string Login, string Name, string? Apartment, string? Sip)> People =
    [
        ("alice", "Alice Martin", "101", "demo-alice"),
        ("bob", "Bob Martin", "101", "demo-bob"),
        ("carol", "Carol Durand", "102", "demo-carol"),
        ("manager", "Building Manager", null, null),
    ];

    public const string PlatformAdminEmail = "admin@neolia.test";

    public static IHostApplicationBuilder AddDevelopmentSeed(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SeedOptions>(SeedOptions.Section);
        return builder;
    }

    /// <summary>Creates the roles (always) and the demo data (when <c>Seed:Enabled</c>, and only once).</summary>
    public static async Task ApplyAsync(IServiceProvider services, CancellationToken ct)
    {
        var roles = services.GetRequiredService<RoleManager<Role>>();
        foreach (var role in NeoliaRoles.All)
        {
            if (!await roles.RoleExistsAsync(role)) Check(await roles.CreateAsync(new Role { Name = role }));
        }

        var options = services.GetRequiredService<IOptions<SeedOptions>>().Value;
        if (!options.Enabled) return;
        var db = services.GetRequiredService<NeoliaDb>();
        db.TenantScope = TenantScope.All;
        if (await db.Tenants.AnyAsync(t => t.Slug == TenantSlug, ct)) return;

        var users = services.GetRequiredService<UserManager<User>>();
        var tenant = new Tenant { Slug = TenantSlug, Name = "Demo Property Management" };
        var site = new Site { TenantId = tenant.Id, Name = "12 Rue de la Paix", Address = "12 Rue de la Paix, 75002 Paris" };
        var sip = services.GetRequiredService<SipCredentials>();
        var door = new Device
        {
            TenantId = tenant.Id, SiteId = site.Id, Kind = DeviceKind.DoorIntercom, Name = "Main entrance", SipUsername = DoorSipUsername,
            DoorCodeProtected = services.GetRequiredService<DeviceSecrets>().ProtectDoorCode("#1"),
            SipPasswordDigest = sip.Ha1(DoorSipUsername, options.SipPassword!),
        };
        var apartments = People.Select(p => p.Apartment).OfType<string>().Distinct()
            .Select(number => new Apartment { TenantId = tenant.Id, SiteId = site.Id, Number = number }).ToList();
        db.AddRange(tenant, site, door);
        db.AddRange(apartments);
        var rows = services.GetRequiredService<SipAccountRows>();
        await rows.WriteAsync(db, door.SipAccount(TenantSlug), ct);
        await db.SaveChangesAsync(ct);

        var softphones = services.GetRequiredService<SoftphoneAccounts>();

        foreach (var (login, name, apartment, softphone) in People)
        {
            var user = new User { TenantId = tenant.Id, UserName = $"{login}@{EmailDomain}", Email = $"{login}@{EmailDomain}", EmailConfirmed = true, DisplayName = name };
            if (softphone is not null) await softphones.AssignAsync(db, user, TenantSlug, ct, softphone, options.SipPassword);
            Check(await users.CreateAsync(user, options.DemoPassword!));
            Check(await users.AddToRoleAsync(user, apartment is null ? NeoliaRoles.TenantAdmin : NeoliaRoles.Resident));
            if (apartment is not null)
            {
                db.ApartmentMemberships.Add(new ApartmentMembership { TenantId = tenant.Id, UserId = user.Id, ApartmentId = apartments.Single(a => a.Number == apartment).Id });
            }
        }
        var admin = new User { UserName = PlatformAdminEmail, Email = PlatformAdminEmail, EmailConfirmed = true, DisplayName = "Platform Administrator" };
        Check(await users.CreateAsync(admin, options.DemoPassword!));
        Check(await users.AddToRoleAsync(admin, NeoliaRoles.PlatformAdmin));
        await db.SaveChangesAsync(ct);

        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DevelopmentSeed)).LogInformation("Development seed applied: tenant '{Tenant}', door '{Door}', apartments {Apartments}", TenantSlug, DoorSipUsername,
            string.Join(", ", apartments.Select(a => a.Number)));
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException("Seeding failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
    }
}
