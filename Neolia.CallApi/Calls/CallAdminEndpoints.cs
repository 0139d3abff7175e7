using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;

namespace Neolia.CallApi.Calls;

/// <summary>
/// The call history of the caller's buildings (<c>/api/admin/calls</c>) and the installer's "test this door"
/// (<c>/api/admin/devices/{id}/test-call</c>), which rings an apartment through the very service a door's call over ARI uses.
/// </summary>
public static class CallAdminEndpoints
{
    public static IEndpointRouteBuilder MapCallAdministration(this IEndpointRouteBuilder admin)
    {
        admin.MapGroup("/calls").WithTags("Admin: calls").RequireAuthorization(AdminPolicies.ManageBuildings)
            .MapGet("", ListAsync).WithSummary("List the calls of the caller's buildings, newest first, filtered");
        admin.MapGroup("/devices").WithTags("Admin: devices").RequireAuthorization(AdminPolicies.ManageBuildings)
            .MapPost("/{id:guid}/test-call", TestCallAsync).WithSummary("Test a door: ring one of its site's apartments, marked as a test");
        return admin;
    }

    public sealed record AdminCallResponse(
        Guid Id, Guid TenantId, Guid SiteId, Guid DeviceId, string Device, Guid ApartmentId, string Apartment, string Status,
        string Caller, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt, DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt,
        string? EndReason, bool IsTest, string? SnapshotUrl = null);

    /// <summary>Filters of the history; every one optional. <c>from</c> is inclusive, <c>to</c> exclusive.</summary>
    public sealed class CallFilter
    {
        public Guid? SiteId { get; init; }
        public Guid? DeviceId { get; init; }
        public Guid? ApartmentId { get; init; }
        [MaxLength(16)]
        public string? Status { get; init; }
        public DateTimeOffset? From { get; init; }
        public DateTimeOffset? To { get; init; }
    }

    /// <param name="Apartment">The number the door would dial, in the door's site.</param>
    public sealed record TestCallRequest([Required, MaxLength(32)] string Apartment);

    public sealed record TestCallResponse(Guid CallId, string Room, string Dial);

    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, [AsParameters] CallFilter filter, NeoliaDb db, CancellationToken ct)
    {
        if (filter.Status is { } status && !CallStatusMachine.IsKnown(status))
        {
            return AdminProblems.Invalid("status", $"Unknown status; use one of: {string.Join(", ", CallStatusMachine.All)}.");
        }
        if (filter is { From: { } from, To: { } to } && to <= from) return AdminProblems.Invalid("to", "The end of the period must come after its start.");

        var calls = db.Calls.AsQueryable();
        if (filter.DeviceId is { } device) calls = calls.Where(c => c.DeviceId == device);
        if (filter.ApartmentId is { } apartment) calls = calls.Where(c => c.ApartmentId == apartment);
        if (filter.SiteId is { } site) calls = calls.Where(c => db.Devices.Any(d => d.Id == c.DeviceId && d.SiteId == site));
        if (filter.Status is { } s) calls = calls.Where(c => c.Status == s);
        if (filter.From is { } f) calls = calls.Where(c => c.StartedAt >= f);
        if (filter.To is { } t) calls = calls.Where(c => c.StartedAt < t);
        var page = calls.OrderByDescending(c => c.StartedAt).ThenByDescending(c => c.Id)
            .Select(c => new AdminCallResponse(
                c.Id, c.TenantId,
                db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.SiteId).First(),
                c.DeviceId, db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.Name).First(),
                c.ApartmentId, db.Apartments.Where(a => a.Id == c.ApartmentId).Select(a => a.Number).First(),
                c.Status, c.Caller, c.StartedAt, c.ExpiresAt, c.AnsweredAt, c.EndedAt, c.EndReason, c.IsTest,
                db.Set<Media.CallMedia>().Any(m => m.CallId == c.Id && m.Snapshot != null) ? Media.CallSnapshotEndpoints.UrlOf(c.Id) : null));
        return TypedResults.Ok(await page.ToPageAsync(paging, ct));
    }

    private static async Task<IResult> TestCallAsync(Guid id, TestCallRequest request, NeoliaDb db, DoorCallService doorCalls, CancellationToken ct)
    {
        // Through the caller's tenant filter first: another tenant's door is "not found" before anything rings.
        var door = await db.Devices.Where(d => d.Id == id).Select(d => new { d.SipUsername, d.Kind, d.IsActive }).SingleOrDefaultAsync(ct);
        if (door is null) return AdminProblems.NotFound("Device");
        if (door.Kind != DeviceKind.DoorIntercom) return AdminProblems.Invalid("id", "Only a door intercom can ring an apartment.");
        if (!door.IsActive) return AdminProblems.Conflict("Device inactive", "An inactive door rings nobody; activate it first.");

        var start = await doorCalls.StartAsync(
            new DoorRing($"test-{Guid.NewGuid():N}", TenantSlug: null, Caller: door.SipUsername, Callee: request.Apartment.Trim(), IsTest: true), ct);
        if (!start.Started)
        {
            return start.RejectReason == DoorCallService.RejectReasons.UnknownApartment
                ? AdminProblems.Invalid("apartment", "The door's site has no apartment with this number.")
                : AdminProblems.Conflict("The door cannot ring", $"The door call was refused ({start.RejectReason}).");
        }
        return TypedResults.Ok(new TestCallResponse(start.CallId, start.Room, start.DialString));
    }
}
