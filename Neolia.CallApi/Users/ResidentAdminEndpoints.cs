using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Data;
using Neolia.CallApi.SipAccounts;
using Neolia.ServiceDefaults.Authentication;
using Neolia.CallApi.RequestErrors;

namespace Neolia.CallApi.Users;

/// <summary>
/// Residents: accounts with the resident role in a tenant. Users are not <see cref="ITenantOwned"/> (platform
/// administrators have no tenant, and sign-in must find any user), so <see cref="Residents"/> applies the caller's
/// tenant scope explicitly; memberships and apartments are scoped by the global filter.
/// </summary>
public static class ResidentAdminEndpoints
{
    public static IEndpointRouteBuilder MapResidentAdministration(this IEndpointRouteBuilder admin)
    {
        var residents = admin.MapGroup("/residents").WithTags("Admin: residents").RequireAuthorization(AdminPolicies.ManageBuildings);
        residents.MapGet("", ListAsync).WithSummary("List the residents");
        residents.MapGet("/{id:guid}", GetAsync).WithSummary("Get a resident").WithName("GetResident");
        residents.MapPost("", CreateAsync).WithSummary("Create a resident with a first password");
        residents.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update a resident");
        residents.MapPut("/{id:guid}/apartments/{apartmentId:guid}", AssignAsync).WithSummary("Make a resident a member of an apartment");
        residents.MapDelete("/{id:guid}/apartments/{apartmentId:guid}", UnassignAsync).WithSummary("Remove a resident from an apartment");
        residents.MapPost("/{id:guid}/deactivate", DeactivateAsync).WithSummary("Deactivate a resident (signs them out everywhere, closes their sockets)");
        residents.MapPost("/{id:guid}/reactivate", ReactivateAsync).WithSummary("Reactivate a resident");
        return admin;
    }

    public sealed record ResidentApartment(Guid Id, Guid SiteId, string Number);

    public sealed record ResidentResponse(Guid Id, Guid TenantId, string? Email, string DisplayName, bool IsActive,
        IReadOnlyList<ResidentApartment> Apartments, DateTimeOffset CreatedAt);

    /// <param name="TenantId">Required from a platform administrator; a tenant administrator's own tenant otherwise.</param>
    /// <param name="Password">The first password, given to the resident by the administrator.</param>
    /// <param name="ApartmentIds">Apartments the resident is rung for, from the start.</param>
    public sealed record CreateResidentRequest(
        Guid? TenantId,
        [Required, EmailAddress, SingleLine, MaxLength(256)] string Email,
        [Required, SingleLine, MaxLength(200)] string DisplayName,
        [Required, MinLength(10), MaxLength(128)] string Password,
        [MaxLength(50)] Guid[]? ApartmentIds);

    public sealed record UpdateResidentRequest([Required, SingleLine, MaxLength(200)] string DisplayName);

    /// <summary>Users with the resident role, in the caller's tenant (all tenants for a platform administrator, none if anonymous).</summary>
    public static IQueryable<User> Residents(NeoliaDb db)
    {
        var residentRole = db.Roles.Where(r => r.Name == NeoliaRoles.Resident).Select(r => r.Id);
        var residents = db.Users.Where(u => u.TenantId != null
            && db.UserRoles.Any(ur => ur.UserId == u.Id && residentRole.Contains(ur.RoleId)));
        var scope = db.TenantScope;
        return scope.AllTenants ? residents : residents.Where(u => u.TenantId == scope.TenantId);
    }

    private static IQueryable<ResidentResponse> Responses(NeoliaDb db, IQueryable<User> users) => users.Select(u => new ResidentResponse(
        u.Id, u.TenantId!.Value, u.Email, u.DisplayName, u.IsActive,
        db.ApartmentMemberships.Where(m => m.UserId == u.Id).OrderBy(m => m.Apartment!.Number)
            .Select(m => new ResidentApartment(m.ApartmentId, m.Apartment!.SiteId, m.Apartment.Number)).ToList(),
        u.CreatedAt));

    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, Guid? tenantId, Guid? apartmentId, NeoliaDb db, CancellationToken ct)
    {
        var residents = Residents(db);
        if (tenantId is { } t) residents = residents.Where(u => u.TenantId == t);
        if (apartmentId is { } a) residents = residents.Where(u => db.ApartmentMemberships.Any(m => m.UserId == u.Id && m.ApartmentId == a));
        if (paging.SearchPattern is { } like) residents = residents.Where(u => EF.Functions.ILike(u.DisplayName, like) || EF.Functions.ILike(u.Email ?? "", like));
        return TypedResults.Ok(await Responses(db, residents.OrderBy(u => u.Id)).ToPageAsync(paging, ct));
    }

    private static async Task<IResult> GetAsync(Guid id, NeoliaDb db, CancellationToken ct) =>
        await Responses(db, Residents(db).Where(u => u.Id == id)).SingleOrDefaultAsync(ct) is { } resident
            ? TypedResults.Ok(resident) : AdminProblems.NotFound("Resident");

    private static async Task<IResult> CreateAsync(CreateResidentRequest request, ClaimsPrincipal caller, NeoliaDb db, UserManager<User> users,
        SoftphoneAccounts softphones, CancellationToken ct)
    {
        var (tenantId, problem) = await TenantChoice.ResolveAsync(caller, request.TenantId, db, ct);
        if (problem is not null) return problem;
        var apartmentIds = (request.ApartmentIds ?? []).Distinct().ToList();
        // Only the tenant's own apartments: another tenant's is "not found", even to a platform administrator naming this tenant.
        var found = await db.Apartments.Where(a => apartmentIds.Contains(a.Id) && a.TenantId == tenantId).Select(a => a.Id).ToListAsync(ct);
        if (found.Count != apartmentIds.Count) return AdminProblems.NotFound("Apartment");

        var user = new User { TenantId = tenantId, UserName = request.Email, Email = request.Email, EmailConfirmed = true, DisplayName = request.DisplayName.Trim() };
        // Tracked on the same context: the save that creates the user creates the softphone account in Asterisk.
        var slug = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Slug).SingleAsync(ct);
        await softphones.AssignAsync(db, user, slug, ct);
        if (await UserAccounts.CreateAsync(users, user, request.Password, NeoliaRoles.Resident) is { } refused) return refused;
        db.ApartmentMemberships.AddRange(apartmentIds.Select(a => new ApartmentMembership { TenantId = tenantId, ApartmentId = a, UserId = user.Id }));
        await db.SaveChangesAsync(ct);
        return TypedResults.CreatedAtRoute(await Responses(db, Residents(db).Where(u => u.Id == user.Id)).SingleAsync(ct), "GetResident", new { id = user.Id });
    }

    private static async Task<IResult> UpdateAsync(Guid id, UpdateResidentRequest request, NeoliaDb db, SoftphoneAccounts softphones, CancellationToken ct)
    {
        if (await Residents(db).SingleOrDefaultAsync(u => u.Id == id, ct) is not { } user) return AdminProblems.NotFound("Resident");
        user.DisplayName = request.DisplayName.Trim();
        await softphones.SyncAsync(db, user, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await Responses(db, Residents(db).Where(u => u.Id == id)).SingleAsync(ct));
    }

    /// <summary>Idempotent: assigning twice leaves one membership.</summary>
    private static async Task<IResult> AssignAsync(Guid id, Guid apartmentId, NeoliaDb db, CancellationToken ct)
    {
        if (await Residents(db).Where(u => u.Id == id).Select(u => u.TenantId).SingleOrDefaultAsync(ct) is not { } tenantId)
        {
            return AdminProblems.NotFound("Resident");
        }
        if (!await db.Apartments.AnyAsync(a => a.Id == apartmentId && a.TenantId == tenantId, ct)) return AdminProblems.NotFound("Apartment");
        if (!await db.ApartmentMemberships.AnyAsync(m => m.UserId == id && m.ApartmentId == apartmentId, ct))
        {
            db.ApartmentMemberships.Add(new ApartmentMembership { TenantId = tenantId, ApartmentId = apartmentId, UserId = id });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                // Assigned concurrently: the outcome asked for holds.
            }
        }
        return TypedResults.NoContent();
    }

    /// <summary>From now on the resident is not rung for the apartment. Idempotent.</summary>
    private static async Task<IResult> UnassignAsync(Guid id, Guid apartmentId, NeoliaDb db, CancellationToken ct)
    {
        if (!await Residents(db).AnyAsync(u => u.Id == id, ct)) return AdminProblems.NotFound("Resident");
        if (!await db.Apartments.AnyAsync(a => a.Id == apartmentId, ct)) return AdminProblems.NotFound("Apartment");
        await db.ApartmentMemberships.Where(m => m.UserId == id && m.ApartmentId == apartmentId).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The resident can no longer sign in or refresh, is rung for nothing, and every token already issued stops
    /// working at once, on CallApi and on the Notifier (whose open sockets of this user close).
    /// </summary>
    private static async Task<IResult> DeactivateAsync(Guid id, NeoliaDb db, AccountRevocation revocation, SoftphoneAccounts softphones, CancellationToken ct)
    {
        if (await Residents(db).SingleOrDefaultAsync(u => u.Id == id, ct) is not { } user) return AdminProblems.NotFound("Resident");
        user.IsActive = false;
        await softphones.SyncAsync(db, user, ct);
        await db.SaveChangesAsync(ct);
        // After the save: a sign-in racing this sees the user inactive, or gets a token that this revokes.
        await revocation.RevokeEverySessionAsync(id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ReactivateAsync(Guid id, NeoliaDb db, SoftphoneAccounts softphones, CancellationToken ct)
    {
        if (await Residents(db).SingleOrDefaultAsync(u => u.Id == id, ct) is not { } user) return AdminProblems.NotFound("Resident");
        user.IsActive = true;
        await softphones.SyncAsync(db, user, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
