using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.DoorEvents;
using Neolia.CallApi.Media;
using Neolia.Contracts;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.DoorOpenings;

/// <summary>
/// Opening a door from the app, with no call: the doors a resident may open (<c>GET /api/me/doors</c>), the opening
/// itself (<c>POST /api/doors/{id}/open</c>), and what a site box calls to carry out the openings of its site's doors.
/// </summary>
public static class DoorOpeningEndpoints
{
    public static IEndpointRouteBuilder MapDoorOpeningEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/doors", ListMineAsync).WithTags("Doors").RequireAuthorization()
            .WithSummary("The doors of my sites, and whether I can open them from the app");
        app.MapPost("/api/doors/{id:guid}/open", OpenAsync).WithTags("Doors").RequireAuthorization()
            .WithSummary("Open a door now, without a call (residents of its site, the tenant's administrators)")
            .Produces<OpenResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status504GatewayTimeout);

        var box = app.MapGroup($"{MediaRelayApi.SitePrefix}/openings").WithTags("Site relays").RequireSiteRelay();
        box.MapGet("", ClaimAsync).WithSummary("The site's door openings to carry out now, each handed out once (long poll with wait)");
        box.MapPost("/{id:guid}/result", ReportAsync).WithSummary("What the door answered to an opening (opened, door_unreachable, failed)");
        return app;
    }

    /// <param name="Reason">Why the door cannot be opened from the app now (<c>disabled</c>), null when it can.</param>
    public sealed record MyDoor(Guid Id, string Name, Guid SiteId, string Site, bool CanOpen, string? Reason);

    public sealed record OpenResponse(string Result, Guid EventId);

    private static async Task<IResult> ListMineAsync(ClaimsPrincipal caller, NeoliaDb db, CancellationToken ct)
    {
        var userId = caller.GetUserId();
        var doors = await db.Devices
            .Where(d => d.Kind == DeviceKind.DoorIntercom && db.ApartmentMemberships.Any(m => m.UserId == userId && m.Apartment!.SiteId == d.SiteId))
            .OrderBy(d => d.Name).ThenBy(d => d.Id)
            .Select(d => new { d.Id, d.Name, d.SiteId, Site = db.Sites.Where(s => s.Id == d.SiteId).Select(s => s.Name).First(), d.IsActive, d.AppOpening })
            .ToListAsync(ct);
        return TypedResults.Ok(doors.Select(d =>
        {
            var canOpen = d.IsActive && d.AppOpening != AppOpeningModes.Off;
            return new MyDoor(d.Id, d.Name, d.SiteId, d.Site, canOpen, canOpen ? null : DoorEventResults.Disabled);
        }).ToList());
    }

    private static async Task<IResult> OpenAsync(Guid id, ClaimsPrincipal caller, DoorOpener opener, HttpContext context, CancellationToken ct)
    {
        if (await opener.OpenAsync(id, caller, ct) is not { } outcome)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such door", detail: "None of your sites has a door with this id.");
        }
        if (outcome.Result == DoorEventResults.Opened) return TypedResults.Ok(new OpenResponse(outcome.Result, outcome.EventId));
        if (outcome.RetryAfter is { } retry)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        var (status, title) = outcome.Result switch
        {
            DoorEventResults.NotAllowed => (StatusCodes.Status403Forbidden, "You may not open this door"),
            DoorEventResults.Disabled => (StatusCodes.Status409Conflict, "Opening this door from the app is turned off"),
            DoorEventResults.RateLimited => (StatusCodes.Status429TooManyRequests, "Too many openings: try again in a moment"),
            DoorEventResults.DoorUnreachable => (StatusCodes.Status504GatewayTimeout, "The door could not be reached"),
            _ => (StatusCodes.Status502BadGateway, "The door did not open"),
        };
        return TypedResults.Problem(statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["result"] = outcome.Result, ["eventId"] = outcome.EventId });
    }

    /// <summary>Claims the site's pending openings; with <c>wait</c> (seconds) answers as soon as there is one, or when the wait is over.</summary>
    private static async Task<IResult> ClaimAsync(HttpContext context, SiteBoxOpenings openings, int? wait, CancellationToken ct)
    {
        if (wait is < 0 or > MediaRelayApi.MaxWaitSeconds)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["wait"] = [$"Between 0 and {MediaRelayApi.MaxWaitSeconds} seconds."] });
        }
        var siteId = MediaRelayEndpoints.Caller(context).SiteId!.Value;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(wait ?? 0);
        while (true)
        {
            var claimed = await openings.ClaimAsync(siteId, ct);
            // An opening waits for the box: the poll reads PostgreSQL often (one indexed query per box), whichever replica took the app's request.
            if (claimed.Count > 0 || DateTime.UtcNow >= deadline) return TypedResults.Ok(new SiteOpeningList(claimed));
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }

    private static async Task<IResult> ReportAsync(Guid id, SiteOpeningReport report, HttpContext context, SiteBoxOpenings openings, ILogger<SiteBoxOpenings> logger, CancellationToken ct)
    {
        if (report.Result is not (DoorEventResults.Opened or DoorEventResults.DoorUnreachable or DoorEventResults.Failed))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["result"] = [$"One of: {DoorEventResults.Opened}, {DoorEventResults.DoorUnreachable}, {DoorEventResults.Failed}."],
            });
        }
        var siteId = MediaRelayEndpoints.Caller(context).SiteId!.Value;
        if (!await openings.ReportAsync(siteId, id, report.Result, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not an opening in progress", detail: "Unknown, another site's, or it already has its result.");
        }
        if (report.Reason is { } reason) logger.LogInformation("Site box opening {EventId}: {Result} ({Reason})", id, report.Result, reason);
        return TypedResults.NoContent();
    }
}
