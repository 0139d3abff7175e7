using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;
using Neolia.CallApi.RequestErrors;

namespace Neolia.CallApi.Sites;

/// <summary>Buildings of a tenant. The tenant query filter scopes every query: another tenant's site is "not found".</summary>
public static class SiteAdminEndpoints
{
    public static IEndpointRouteBuilder MapSiteAdministration(this IEndpointRouteBuilder admin)
    {
        var sites = admin.MapGroup("/sites").WithTags("Admin: sites").RequireAuthorization(AdminPolicies.ManageBuildings);
        sites.MapGet("", ListAsync).WithSummary("List the sites (buildings)");
        sites.MapGet("/{id:guid}", GetAsync).WithSummary("Get a site").WithName("GetSite");
        sites.MapPost("", CreateAsync).WithSummary("Create a site");
        sites.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update a site");
        sites.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a site");
        return admin;
    }

    public sealed record SiteResponse(Guid Id, Guid TenantId, string Name, string? Address, DateTimeOffset CreatedAt);

    /// <param name="TenantId">Required from a platform administrator; a tenant administrator's own tenant otherwise.</param>
    public sealed record CreateSiteRequest(Guid? TenantId, [Required, SingleLine, MaxLength(200)] string Name, [SingleLine, MaxLength(500)] string? Address);

    public sealed record UpdateSiteRequest([Required, SingleLine, MaxLength(200)] string Name, [SingleLine, MaxLength(500)] string? Address);

    private static SiteResponse ToResponse(Site s) => new(s.Id, s.TenantId, s.Name, s.Address, s.CreatedAt);

    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, Guid? tenantId, NeoliaDb db, CancellationToken ct)
    {
        var sites = db.Sites.AsQueryable();
        if (tenantId is { } t) sites = sites.Where(s => s.TenantId == t);
        if (paging.SearchPattern is { } like) sites = sites.Where(s => EF.Functions.ILike(s.Name, like) || EF.Functions.ILike(s.Address ?? "", like));
        return TypedResults.Ok(await sites.OrderBy(s => s.Id)
            .Select(s => new SiteResponse(s.Id, s.TenantId, s.Name, s.Address, s.CreatedAt)).ToPageAsync(paging, ct));
    }

    private static async Task<IResult> GetAsync(Guid id, NeoliaDb db, CancellationToken ct) =>
        await db.Sites.SingleOrDefaultAsync(s => s.Id == id, ct) is { } site ? TypedResults.Ok(ToResponse(site)) : AdminProblems.NotFound("Site");

    private static async Task<IResult> CreateAsync(CreateSiteRequest request, ClaimsPrincipal caller, NeoliaDb db, CancellationToken ct)
    {
        var (tenantId, problem) = await TenantChoice.ResolveAsync(caller, request.TenantId, db, ct);
        if (problem is not null) return problem;
        var site = new Site { TenantId = tenantId, Name = request.Name.Trim(), Address = request.Address?.Trim() };
        db.Sites.Add(site);
        if (await SaveAsync(db, site.Name, ct) is { } conflict) return conflict;
        return TypedResults.CreatedAtRoute(ToResponse(site), "GetSite", new { id = site.Id });
    }

    private static async Task<IResult> UpdateAsync(Guid id, UpdateSiteRequest request, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Sites.SingleOrDefaultAsync(s => s.Id == id, ct) is not { } site) return AdminProblems.NotFound("Site");
        site.Name = request.Name.Trim();
        site.Address = request.Address?.Trim();
        if (await SaveAsync(db, site.Name, ct) is { } conflict) return conflict;
        return TypedResults.Ok(ToResponse(site));
    }

    private static async Task<IResult> DeleteAsync(Guid id, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Sites.SingleOrDefaultAsync(s => s.Id == id, ct) is not { } site) return AdminProblems.NotFound("Site");
        if (await db.Devices.AnyAsync(d => d.SiteId == id, ct) || await db.Apartments.AnyAsync(a => a.SiteId == id, ct))
        {
            return AdminProblems.Conflict("Site in use", "Remove the site's devices and apartments first.");
        }
        db.Sites.Remove(site);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static Task<IResult?> SaveAsync(NeoliaDb db, string name, CancellationToken ct) =>
        AdminProblems.SaveOrConflictAsync(db, "Site name taken", $"The tenant already has a site named '{name}'.", ct);
}
