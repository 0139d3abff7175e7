using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.Media;

/// <summary>
/// <c>/api/admin/sites/{id}/relay</c>: gives a building a relay box (its credential is shown once) or takes it away
/// (the stack's relays serve its doors again).
/// </summary>
public static class SiteRelayAdminEndpoints
{
    /// <param name="Credential">Shown this once: configure it on the box as <c>Relay:Credential</c>.</param>
    public sealed record SiteRelayCredential(Guid SiteId, string Credential);

    public static IEndpointRouteBuilder MapSiteRelayAdministration(this IEndpointRouteBuilder app)
    {
        var relay = app.MapGroup(AdministrationFeature.Prefix + "/sites/{id:guid}/relay").WithTags("Admin: sites")
            .RequireAuthorization(AdminPolicies.ManageBuildings);
        relay.MapPost("", IssueAsync).WithSummary("Give the site a relay box: a new credential, shown once");
        relay.MapDelete("", RemoveAsync).WithSummary("Take the site's relay box away: the stack's relays serve its doors again");
        return app;
    }

    /// <summary>A new credential for the site's box; one given before stops working.</summary>
    private static async Task<IResult> IssueAsync(Guid id, NeoliaDb db, TimeProvider time, CancellationToken ct)
    {
        var site = await db.Sites.Where(s => s.Id == id).Select(s => new { s.Id, s.TenantId }).SingleOrDefaultAsync(ct);
        if (site is null) return AdminProblems.NotFound("Site");
        var (credential, hash) = RelayCaller.NewSiteCredential();
        var relay = await db.Set<SiteRelay>().SingleOrDefaultAsync(r => r.SiteId == id, ct);
        if (relay is null) db.Add(new SiteRelay { SiteId = site.Id, TenantId = site.TenantId, CredentialHash = hash, CreatedAt = time.GetUtcNow() });
        else (relay.CredentialHash, relay.CreatedAt) = (hash, time.GetUtcNow());
        if (await AdminProblems.SaveOrConflictAsync(db, "Relay changed meanwhile", "Another request gave this site a relay at the same time; try again.", ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Ok(new SiteRelayCredential(site.Id, credential));
    }

    private static async Task<IResult> RemoveAsync(Guid id, NeoliaDb db, CancellationToken ct)
    {
        if (!await db.Sites.AnyAsync(s => s.Id == id, ct)) return AdminProblems.NotFound("Site");
        await db.Set<SiteRelay>().Where(r => r.SiteId == id).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }
}
