using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.Apartments;

/// <summary>Apartments of a site; the number is the extension the door dials, so it is unique per site (409).</summary>
public static class ApartmentAdminEndpoints
{
    public const string NumberPattern = "^[0-9]+$";

    public static IEndpointRouteBuilder MapApartmentAdministration(this IEndpointRouteBuilder admin)
    {
        var apartments = admin.MapGroup("/apartments").WithTags("Admin: apartments").RequireAuthorization(AdminPolicies.ManageBuildings);
        apartments.MapGet("", ListAsync).WithSummary("List the apartments of a site");
        apartments.MapGet("/{id:guid}", GetAsync).WithSummary("Get an apartment").WithName("GetApartment");
        apartments.MapPost("", CreateAsync).WithSummary("Create an apartment (its number is the extension the door dials)");
        apartments.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update an apartment");
        apartments.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete an apartment");
        return admin;
    }

    public sealed record ApartmentResident(Guid Id, string DisplayName, string? Email, bool IsActive);

    public sealed record ApartmentResponse(Guid Id, Guid TenantId, Guid SiteId, string Number, IReadOnlyList<ApartmentResident> Residents, DateTimeOffset CreatedAt);

    public sealed record CreateApartmentRequest(
        [Required] Guid? SiteId,
        [Required, MaxLength(32), RegularExpression(NumberPattern, ErrorMessage = "The number the door dials: digits only.")] string Number);

    public sealed record UpdateApartmentRequest(
        [Required, MaxLength(32), RegularExpression(NumberPattern, ErrorMessage = "The number the door dials: digits only.")] string Number);

    private static IQueryable<ApartmentResponse> Responses(IQueryable<Apartment> apartments) => apartments.Select(a => new ApartmentResponse(
        a.Id, a.TenantId, a.SiteId, a.Number,
        a.Memberships.OrderBy(m => m.CreatedAt)
            .Select(m => new ApartmentResident(m.UserId, m.User!.DisplayName, m.User.Email, m.User.IsActive)).ToList(),
        a.CreatedAt));

    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, Guid? siteId, NeoliaDb db, CancellationToken ct)
    {
        var apartments = db.Apartments.AsQueryable();
        if (siteId is { } s) apartments = apartments.Where(a => a.SiteId == s);
        if (paging.SearchPattern is { } like) apartments = apartments.Where(a => EF.Functions.ILike(a.Number, like));
        return TypedResults.Ok(await Responses(apartments.OrderBy(a => a.Id)).ToPageAsync(paging, ct));
    }

    private static async Task<IResult> GetAsync(Guid id, NeoliaDb db, CancellationToken ct) =>
        await Responses(db.Apartments.Where(a => a.Id == id)).SingleOrDefaultAsync(ct) is { } apartment
            ? TypedResults.Ok(apartment) : AdminProblems.NotFound("Apartment");

    private static async Task<IResult> CreateAsync(CreateApartmentRequest request, NeoliaDb db, CancellationToken ct)
    {
        // The filtered query: a site of another tenant is "not found" like one that does not exist.
        if (await db.Sites.Where(s => s.Id == request.SiteId).Select(s => new { s.Id, s.TenantId }).SingleOrDefaultAsync(ct) is not { } site)
        {
            return AdminProblems.NotFound("Site");
        }
        var apartment = new Apartment { TenantId = site.TenantId, SiteId = site.Id, Number = request.Number };
        db.Apartments.Add(apartment);
        if (await SaveAsync(db, request.Number, ct) is { } conflict) return conflict;
        return TypedResults.CreatedAtRoute(new ApartmentResponse(apartment.Id, apartment.TenantId, apartment.SiteId, apartment.Number, [], apartment.CreatedAt),
            "GetApartment", new { id = apartment.Id });
    }

    private static async Task<IResult> UpdateAsync(Guid id, UpdateApartmentRequest request, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Apartments.SingleOrDefaultAsync(a => a.Id == id, ct) is not { } apartment) return AdminProblems.NotFound("Apartment");
        apartment.Number = request.Number;
        if (await SaveAsync(db, request.Number, ct) is { } conflict) return conflict;
        return TypedResults.Ok(await Responses(db.Apartments.Where(a => a.Id == id)).SingleAsync(ct));
    }

    private static async Task<IResult> DeleteAsync(Guid id, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Apartments.SingleOrDefaultAsync(a => a.Id == id, ct) is not { } apartment) return AdminProblems.NotFound("Apartment");
        // Calls keep pointing at their apartment: the history must survive.
        if (await db.Calls.AnyAsync(c => c.ApartmentId == id, ct))
        {
            return AdminProblems.Conflict("Apartment has calls", "An apartment with call history cannot be deleted; remove its residents instead.");
        }
        db.Apartments.Remove(apartment);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static Task<IResult?> SaveAsync(NeoliaDb db, string number, CancellationToken ct) =>
        AdminProblems.SaveOrConflictAsync(db, "Apartment number taken", $"The site already has an apartment {number}.", ct);
}
