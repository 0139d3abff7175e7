using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Administration;

/// <summary>Which tenant a new tenant-owned thing that has no parent (a site, a resident) goes to.</summary>
public static class TenantChoice
{
    /// <summary>
    /// A tenant administrator creates in their own tenant (naming it is allowed, naming another is "not found");
    /// a platform administrator belongs to no tenant, so must name one.
    /// </summary>
    public static async Task<(Guid TenantId, IResult? Problem)> ResolveAsync(ClaimsPrincipal caller, Guid? requested, NeoliaDb db, CancellationToken ct)
    {
        if (caller.IsInRole(NeoliaRoles.PlatformAdmin))
        {
            if (requested is not { } chosen)
            {
                return (default, AdminProblems.Invalid("tenantId", "A platform administrator must say which tenant this belongs to."));
            }
            return await db.Tenants.AnyAsync(t => t.Id == chosen, ct) ? (chosen, null) : (default, AdminProblems.NotFound("Tenant"));
        }
        var own = caller.GetTenantId();
        if (own is null || (requested is { } other && other != own)) return (default, AdminProblems.NotFound("Tenant"));
        return (own.Value, null);
    }
}
