using Neolia.CallApi.Apartments;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Administration;

public static class AdministrationFeature
{
    public const string Prefix = "/api/admin";

    /// <summary>The admin API's services, its role policies, and 400s (not 500s) for requests that cannot be read.</summary>
    public static IHostApplicationBuilder AddAdministration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder().AddAdminPolicies();
        builder.Services.AddSingleton<SipCredentials>();
        builder.Services.AddSingleton<CameraSecrets>();
        builder.Services.AddScoped<AccountRevocation>();
        builder.Services.AddExceptionHandler<UnreadableRequestHandler>();
        // Always throw for unreadable requests (by default only in Development) so UnreadableRequestHandler names the field.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
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
        admin.MapResidentAdministration();
        admin.MapCallAdministration();
        app.MapMeEndpoints();
        return app;
    }
}
