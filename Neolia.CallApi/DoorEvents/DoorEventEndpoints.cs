using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;
using Neolia.CallApi.Media;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.DoorEvents;

/// <summary>
/// Reading the door log: a door's events for its tenant's administrators (<c>/api/admin/doors/{id}/events</c>), a
/// resident's own apartments' events (<c>/api/me/door-events</c>), and the picture of an event that has one of its
/// own. Another tenant's door, event or picture answers 404.
/// </summary>
public static class DoorEventEndpoints
{
    public static IEndpointRouteBuilder MapDoorEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet($"{AdministrationFeature.Prefix}/doors/{{id:guid}}/events", ListForDoorAsync).WithTags("Admin: door log")
            .RequireAuthorization(AdminPolicies.ManageBuildings)
            .WithSummary("A door's log, newest first: calls, openings, the door's own events (filters: from, to, kind)")
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/me/door-events", ListMineAsync).WithTags("Doors").RequireAuthorization()
            .WithSummary("The door log of my apartments, newest first: their calls and openings");
        app.MapGet("/api/door-events/{id:guid}/snapshot", SnapshotAsync).WithTags("Doors").RequireAuthorization()
            .WithSummary("The picture of a door event that has one of its own (JPEG)")
            .Produces(StatusCodes.Status200OK, contentType: "image/jpeg").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static string SnapshotUrlOf(Guid eventId) => $"/api/door-events/{eventId}/snapshot";

    /// <param name="SnapshotUrl">The event's picture: its own, or its call's snapshot; null when there is none.</param>
    /// <param name="Details">What the source added (an Action URL's variables), as a JSON object.</param>
    public sealed record DoorEventView(
        Guid Id, Guid DeviceId, string Device, Guid SiteId, DateTimeOffset OccurredAt, string Kind, string? Method, string? Result,
        Guid? UserId, string? User, Guid? ApartmentId, string? Apartment, Guid? CallId, string? SnapshotUrl, JsonElement? Details);

    public sealed class DoorEventQuery
    {
        public DateTimeOffset? From { get; init; }
        public DateTimeOffset? To { get; init; }

        [MaxLength(32)]
        public string? Kind { get; init; }
    }

    private static async Task<IResult> ListForDoorAsync(Guid id, [AsParameters] PageQuery paging, [AsParameters] DoorEventQuery filter, NeoliaDb db, CancellationToken ct)
    {
        if (!await db.Devices.AnyAsync(d => d.Id == id, ct)) return AdminProblems.NotFound("Door");
        var events = db.Set<DoorEvent>().Where(e => e.DeviceId == id);
        if (filter.From is { } from) events = events.Where(e => e.OccurredAt >= from);
        if (filter.To is { } to) events = events.Where(e => e.OccurredAt < to);
        if (filter.Kind is { } kind) events = events.Where(e => e.Kind == kind);
        return TypedResults.Ok(await PageAsync(events, db, paging, ct));
    }

    private static async Task<IResult> ListMineAsync([AsParameters] PageQuery paging, ClaimsPrincipal caller, NeoliaDb db, CancellationToken ct)
    {
        var userId = caller.GetUserId();
        var events = db.Set<DoorEvent>().Where(e => db.ApartmentMemberships.Any(m => m.UserId == userId && m.ApartmentId == e.ApartmentId));
        return TypedResults.Ok(await PageAsync(events, db, paging, ct));
    }

    private static async Task<PagedList<DoorEventView>> PageAsync(IQueryable<DoorEvent> events, NeoliaDb db, PageQuery paging, CancellationToken ct)
    {
        var page = await events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id)
            .Select(e => new
            {
                e.Id, e.DeviceId, Device = db.Devices.Where(d => d.Id == e.DeviceId).Select(d => d.Name).First(), e.SiteId, e.OccurredAt, e.Kind, e.Method, e.Result,
                e.UserId, User = db.Users.Where(u => u.Id == e.UserId).Select(u => u.DisplayName).FirstOrDefault(),
                e.ApartmentId, Apartment = db.Apartments.Where(a => a.Id == e.ApartmentId).Select(a => a.Number).FirstOrDefault(),
                e.CallId, OwnSnapshot = e.Snapshot != null,
                CallSnapshot = e.CallId != null && db.Set<CallMedia>().Any(m => m.CallId == e.CallId && m.Snapshot != null),
                e.Details,
            })
            .ToPageAsync(paging, ct);
        return new PagedList<DoorEventView>(page.Items.Select(e => new DoorEventView(
            e.Id, e.DeviceId, e.Device, e.SiteId, e.OccurredAt, e.Kind, e.Method, e.Result, e.UserId, e.User, e.ApartmentId, e.Apartment, e.CallId,
            e.OwnSnapshot ? SnapshotUrlOf(e.Id) : e.CallSnapshot ? CallSnapshotEndpoints.UrlOf(e.CallId!.Value) : null,
            e.Details is null ? null : ParseDetails(e.Details))).ToList(), page.Page, page.PageSize, page.TotalCount);
    }

    private static JsonElement ParseDetails(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static async Task<IResult> SnapshotAsync(Guid id, ClaimsPrincipal caller, NeoliaDb db, HttpContext context, CancellationToken ct)
    {
        // Administrators see their tenant's events (the context is scoped to it); residents their apartments'.
        var events = db.Set<DoorEvent>().Where(e => e.Id == id);
        if (!caller.IsInRole(NeoliaRoles.TenantAdmin) && !caller.IsInRole(NeoliaRoles.PlatformAdmin))
        {
            var userId = caller.GetUserId();
            events = events.Where(e => db.ApartmentMemberships.Any(m => m.UserId == userId && m.ApartmentId == e.ApartmentId));
        }
        if (await events.Select(e => e.Snapshot).SingleOrDefaultAsync(ct) is not { } jpeg)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No snapshot", detail: "No door event of yours with this id has a picture.");
        }
        context.Response.Headers.CacheControl = "private, max-age=86400";
        return TypedResults.File(jpeg, "image/jpeg");
    }
}
