using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>
/// The devices' online status, the alerts raised when one goes offline or comes back, and the tenant's outbound
/// alert webhook (its URL, its signing secret shown once, each alert's delivery status).
/// </summary>
public static class DeviceStatusEndpoints
{
    public static IEndpointRouteBuilder MapDeviceStatusAdministration(this IEndpointRouteBuilder admin)
    {
        var status = admin.MapGroup("").WithTags("Admin: device status and alerts").RequireAuthorization(AdminPolicies.ManageBuildings);
        status.MapGet("/device-status", ListStatusAsync).WithSummary("Which devices are online, and since when");
        status.MapGet("/alerts", ListAlertsAsync).WithSummary("The alerts raised when a device went offline or came back, newest first, with their webhook delivery");
        status.MapGet("/alert-webhook", GetWebhookAsync).WithSummary("The tenant's alert webhook (its secret is never shown again)");
        status.MapPut("/alert-webhook", SetWebhookAsync).WithSummary("Set the tenant's alert webhook; a new signing secret is shown once");
        status.MapDelete("/alert-webhook", DeleteWebhookAsync).WithSummary("Remove the tenant's alert webhook");
        return admin;
    }

    /// <param name="UnreachableSince">Registered, but not answering Asterisk's qualify since then.</param>
    public sealed record DeviceStatusResponse(Guid DeviceId, Guid TenantId, Guid SiteId, string Name, string Kind, string State, DateTimeOffset Since,
        DateTimeOffset? UnreachableSince);

    public sealed record AlertDeliveryResponse(string State, int Attempts, DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError,
        DateTimeOffset? DeliveredAt, DateTimeOffset? NextAttemptAt);

    /// <param name="Delivery">Null when the tenant had no webhook when the alert was raised.</param>
    public sealed record AlertResponse(Guid Id, Guid TenantId, string Kind, Guid DeviceId, string DeviceName, Guid SiteId, DateTimeOffset RaisedAt,
        DateTimeOffset Since, int Changes, AlertDeliveryResponse? Delivery);

    /// <param name="Secret">Only when a new one was made (first set, or <c>rotateSecret</c>): check each delivery's signature with it.</param>
    public sealed record AlertWebhookResponse(Guid TenantId, string Url, bool IsEnabled, DateTimeOffset UpdatedAt, string? Secret = null);

    public sealed record AlertWebhookRequest(
        [Required, MaxLength(2000), AbsoluteUri("https", "http")] string Url,
        bool? IsEnabled,
        bool? RotateSecret,
        Guid? TenantId);

    private static async Task<IResult> ListStatusAsync([AsParameters] PageQuery paging, Guid? siteId,
        [AllowedValues(PresenceStates.Online, PresenceStates.Offline, null)] string? state, NeoliaDb db, CancellationToken ct)
    {
        var rows = from p in db.Set<DevicePresence>()
                   join d in db.Devices on p.DeviceId equals d.Id
                   where d.IsActive
                   select new { Presence = p, Device = d };
        if (siteId is { } s) rows = rows.Where(r => r.Device.SiteId == s);
        if (state is not null) rows = rows.Where(r => r.Presence.State == state);
        // Offline first, the longest offline at the top: what a manager looks at.
        var page = await rows.OrderByDescending(r => r.Presence.State == PresenceStates.Offline).ThenBy(r => r.Presence.Since).ThenBy(r => r.Device.Id)
            .ToPageAsync(paging, ct);
        return TypedResults.Ok(new PagedList<DeviceStatusResponse>(page.Items.Select(r => new DeviceStatusResponse(
                r.Device.Id, r.Device.TenantId, r.Device.SiteId, r.Device.Name,
                r.Device.Kind == DeviceKind.DoorIntercom ? DeviceAdminEndpoints.DoorIntercom : DeviceAdminEndpoints.IndoorMonitor,
                r.Presence.State, r.Presence.Since, r.Presence.UnreachableSince)).ToList(),
            page.Page, page.PageSize, page.TotalCount));
    }

    private static async Task<IResult> ListAlertsAsync([AsParameters] PageQuery paging, Guid? deviceId, NeoliaDb db, CancellationToken ct)
    {
        var alerts = db.Set<DeviceAlert>().AsQueryable();
        if (deviceId is { } only) alerts = alerts.Where(a => a.DeviceId == only);
        var page = await (from a in alerts
                          join d in db.Devices on a.DeviceId equals d.Id
                          orderby a.RaisedAt descending, a.Id descending
                          select new AlertResponse(a.Id, a.TenantId, a.Kind, a.DeviceId, d.Name, a.SiteId, a.RaisedAt, a.Since, a.Changes,
                              db.Set<AlertDelivery>().Where(x => x.AlertId == a.Id)
                                  .Select(x => new AlertDeliveryResponse(x.State, x.Attempts, x.LastAttemptAt, x.LastStatusCode, x.LastError, x.DeliveredAt,
                                      x.State == DeliveryStates.Pending ? x.NextAttemptAt : null))
                                  .FirstOrDefault()))
            .ToPageAsync(paging, ct);
        return TypedResults.Ok(page);
    }

    private static async Task<IResult> GetWebhookAsync(Guid? tenantId, ClaimsPrincipal caller, NeoliaDb db, CancellationToken ct)
    {
        var (tenant, problem) = await TenantChoice.ResolveAsync(caller, tenantId, db, ct);
        if (problem is not null) return problem;
        return await db.Set<AlertWebhook>().SingleOrDefaultAsync(w => w.TenantId == tenant, ct) is { } hook
            ? TypedResults.Ok(new AlertWebhookResponse(hook.TenantId, hook.Url, hook.IsEnabled, hook.UpdatedAt))
            : AdminProblems.NotFound("Alert webhook");
    }

    private static async Task<IResult> SetWebhookAsync(AlertWebhookRequest request, ClaimsPrincipal caller, NeoliaDb db, AlertWebhookSecrets secrets,
        IOptions<DeviceStatusOptions> options, TimeProvider time, CancellationToken ct)
    {
        var (tenant, problem) = await TenantChoice.ResolveAsync(caller, request.TenantId, db, ct);
        if (problem is not null) return problem;
        var url = new Uri(request.Url);
        if (url.Scheme != Uri.UriSchemeHttps && !options.Value.AllowInsecureWebhooks)
        {
            return AdminProblems.Invalid("url", "The webhook must be an https:// URL: alerts name the building and its doors.");
        }
        if (!string.IsNullOrEmpty(url.UserInfo)) return AdminProblems.Invalid("url", "Put no credentials in the URL: check the signature of each delivery instead.");

        var hook = await db.Set<AlertWebhook>().SingleOrDefaultAsync(w => w.TenantId == tenant, ct);
        string? secret = null;
        if (hook is null || request.RotateSecret == true) secret = WebhookSignature.NewSecret();
        if (hook is null)
        {
            hook = new AlertWebhook { TenantId = tenant, Url = request.Url, SecretProtected = secrets.Protect(secret!) };
            db.Add(hook);
        }
        hook.Url = request.Url;
        hook.IsEnabled = request.IsEnabled ?? true;
        hook.UpdatedAt = time.GetUtcNow();
        if (secret is not null) hook.SecretProtected = secrets.Protect(secret);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new AlertWebhookResponse(hook.TenantId, hook.Url, hook.IsEnabled, hook.UpdatedAt, secret));
    }

    private static async Task<IResult> DeleteWebhookAsync(Guid? tenantId, ClaimsPrincipal caller, NeoliaDb db, CancellationToken ct)
    {
        var (tenant, problem) = await TenantChoice.ResolveAsync(caller, tenantId, db, ct);
        if (problem is not null) return problem;
        var removed = await db.Set<AlertWebhook>().Where(w => w.TenantId == tenant).ExecuteDeleteAsync(ct);
        return removed == 0 ? AdminProblems.NotFound("Alert webhook") : TypedResults.NoContent();
    }
}
