using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;
using Neolia.CallApi.Users;
using Neolia.ServiceDefaults.Authentication;
using Neolia.CallApi.RequestErrors;

namespace Neolia.CallApi.Tenants;

/// <summary>Tenants (customers of the platform) and their administrators: platform administrators only.</summary>
public static class TenantAdminEndpoints
{
    public const string SlugPattern = "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$";

    public static IEndpointRouteBuilder MapTenantAdministration(this IEndpointRouteBuilder admin)
    {
        var tenants = admin.MapGroup("/tenants").WithTags("Admin: tenants").RequireAuthorization(AdminPolicies.ManageTenants);
        tenants.MapGet("", ListAsync).WithSummary("List the tenants (platform administrators)");
        tenants.MapGet("/{id:guid}", GetAsync).WithSummary("Get a tenant").WithName("GetTenant");
        tenants.MapPost("", CreateAsync).WithSummary("Create a tenant");
        tenants.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update a tenant");
        tenants.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a tenant");
        tenants.MapPost("/{id:guid}/admins", CreateAdminAsync).WithSummary("Create a tenant administrator");
        return admin;
    }

    public sealed record TenantResponse(Guid Id, string Slug, string Name, DateTimeOffset CreatedAt);

    public sealed record CreateTenantRequest(
        [Required, MaxLength(63), RegularExpression(SlugPattern, ErrorMessage = "Lowercase letters, digits and inner hyphens only.")] string Slug,
        [Required, SingleLine, MaxLength(200)] string Name);

    public sealed record UpdateTenantRequest([Required, SingleLine, MaxLength(200)] string Name);

    public sealed record CreateTenantAdminRequest(
        [Required, EmailAddress, SingleLine, MaxLength(256)] string Email,
        [Required, SingleLine, MaxLength(200)] string DisplayName,
        [Required, MinLength(10), MaxLength(128)] string Password);

    public sealed record TenantAdminResponse(Guid Id, Guid TenantId, string Email, string DisplayName);

    private static TenantResponse ToResponse(Tenant t) => new(t.Id, t.Slug, t.Name, t.CreatedAt);

    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, NeoliaDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Tenants
            .Where(t => paging.SearchPattern == null || EF.Functions.ILike(t.Name, paging.SearchPattern) || EF.Functions.ILike(t.Slug, paging.SearchPattern))
            .OrderBy(t => t.Id)
            .Select(t => new TenantResponse(t.Id, t.Slug, t.Name, t.CreatedAt)).ToPageAsync(paging, ct));

    private static async Task<IResult> GetAsync(Guid id, NeoliaDb db, CancellationToken ct) =>
        await db.Tenants.FindAsync([id], ct) is { } tenant ? TypedResults.Ok(ToResponse(tenant)) : AdminProblems.NotFound("Tenant");

    private static async Task<IResult> CreateAsync(CreateTenantRequest request, NeoliaDb db, CancellationToken ct)
    {
        var tenant = new Tenant { Slug = request.Slug, Name = request.Name.Trim() };
        db.Tenants.Add(tenant);
        if (await AdminProblems.SaveOrConflictAsync(db, "Slug taken", $"A tenant with slug '{request.Slug}' already exists.", ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.CreatedAtRoute(ToResponse(tenant), "GetTenant", new { id = tenant.Id });
    }

    private static async Task<IResult> UpdateAsync(Guid id, UpdateTenantRequest request, NeoliaDb db, CancellationToken ct)
    {
        // The slug is not changed: Asterisk's endpoints send it with every door call.
        if (await db.Tenants.FindAsync([id], ct) is not { } tenant) return AdminProblems.NotFound("Tenant");
        tenant.Name = request.Name.Trim();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(tenant));
    }

    private static async Task<IResult> DeleteAsync(Guid id, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Tenants.FindAsync([id], ct) is not { } tenant) return AdminProblems.NotFound("Tenant");
        if (await db.Sites.AnyAsync(s => s.TenantId == id, ct) || await db.Users.AnyAsync(u => u.TenantId == id, ct))
        {
            return AdminProblems.Conflict("Tenant in use", "Remove the tenant's sites and users first.");
        }
        db.Tenants.Remove(tenant);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> CreateAdminAsync(Guid id, CreateTenantAdminRequest request, NeoliaDb db, UserManager<User> users, CancellationToken ct)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == id, ct)) return AdminProblems.NotFound("Tenant");
        var user = new User { TenantId = id, UserName = request.Email, Email = request.Email, EmailConfirmed = true, DisplayName = request.DisplayName.Trim() };
        if (await UserAccounts.CreateAsync(users, user, request.Password, NeoliaRoles.TenantAdmin) is { } problem) return problem;
        return TypedResults.Created($"/api/admin/tenants/{id}/admins/{user.Id}", new TenantAdminResponse(user.Id, id, request.Email, user.DisplayName));
    }
}
