using Microsoft.AspNetCore.Authorization;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Administration;

/// <summary>Who may use the admin API. A resident, signed in but without these roles, gets 403.</summary>
public static class AdminPolicies
{
    /// <summary>Managing buildings: a tenant's administrators (their tenant) and platform administrators (any).</summary>
    public const string ManageBuildings = "manage-buildings";

    /// <summary>Managing tenants themselves: platform administrators only.</summary>
    public const string ManageTenants = "manage-tenants";

    public static AuthorizationBuilder AddAdminPolicies(this AuthorizationBuilder authorization) => authorization
        .AddPolicy(ManageBuildings, policy => policy.RequireRole(NeoliaRoles.PlatformAdmin, NeoliaRoles.TenantAdmin))
        .AddPolicy(ManageTenants, policy => policy.RequireRole(NeoliaRoles.PlatformAdmin));
}
