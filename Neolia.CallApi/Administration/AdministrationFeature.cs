using Neolia.CallApi.Apartments;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Devices;
using Neolia.CallApi.DeviceStatus;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Administration;

public static class AdministrationFeature
{
    public const string Prefix = "/api/admin";

    /// <summary>The admin API's services and its role policies.</summary>
    public static IHostApplicationBuilder AddAdministration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder().AddAdminPolicies();
        builder.Services.AddSingleton<SipCredentials>();
        builder.Services.AddSingleton<DeviceSecrets>();
        return builder;
    }

    /// <summary><c>/api/admin/…</c> for tenants, sites, devices, apartments, residents and calls, and <c>/api/me</c>.</summary>
    public static IEndpointRouteBuilder MapAdministration(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(Prefix).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        admin.MapTenantAdministration();
        admin.MapSiteAdministration();
        admin.MapApartmentAdministration();
        admin.MapDeviceAdministration();
        admin.MapDeviceStatusAdministration();
        admin.MapResidentAdministration();
        admin.MapCallAdministration();
        app.MapMeEndpoints();
        return app;
    }
}
