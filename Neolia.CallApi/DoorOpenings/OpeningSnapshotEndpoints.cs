using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.DoorEvents;
using Neolia.CallApi.Media;
using Neolia.Contracts;

namespace Neolia.CallApi.DoorOpenings;

/// <summary>
/// The picture of an opening from the app: the relays that reach the door's camera (the stack's for doors of sites
/// without a relay box, the site's box for its own) sweep the openings of the last
/// <see cref="DoorOpeningOptions.SnapshotWindow"/> that have none, take one JPEG from the camera and PUT it.
/// The list carries camera credentials, like a call's stream: never log it.
/// </summary>
public static class OpeningSnapshotEndpoints
{
    /// <summary>Attempts refused before anything reached the door: no picture (an insisting client costs no camera work).</summary>
    private static readonly string[] Refused = [DoorEventResults.NotAllowed, DoorEventResults.Disabled, DoorEventResults.RateLimited];
    private static readonly string[] AppKinds = [DoorEventKinds.OpenedFromApp, DoorEventKinds.OpenedByAdmin];

    public static IEndpointRouteBuilder MapOpeningSnapshotEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var relay in new[] { app.MapGroup(MediaRelayApi.StackPrefix).ExcludeFromDescription().RequireStackRelay(),
                     app.MapGroup(MediaRelayApi.SitePrefix).WithTags("Site relays").RequireSiteRelay() })
        {
            relay.MapGet("/opening-snapshots", ListAsync).WithSummary("Openings from the app of the last moments whose door camera this relay reaches and that have no picture yet");
            relay.MapPut("/openings/{id:guid}/snapshot", StoreAsync).WithSummary("The door camera's picture taken at an opening").Accepts<byte[]>("image/jpeg");
        }
        return app;
    }

    /// <summary>The app openings of <paramref name="relay"/>'s doors (the stack: sites without a box; a box: its site).</summary>
    private static IQueryable<DoorEvent> OpeningsOf(NeoliaDb db, RelayCaller relay)
    {
        db.TenantScope = TenantScope.All;
        var events = db.Set<DoorEvent>().Where(e => AppKinds.Contains(e.Kind));
        return relay.SiteId is { } siteId
            ? events.Where(e => e.SiteId == siteId)
            : events.Where(e => !db.Set<SiteRelay>().Any(r => r.SiteId == e.SiteId));
    }

    private static async Task<IResult> ListAsync(HttpContext context, NeoliaDb db, DeviceSecrets cameras, IOptions<DoorOpeningOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var since = time.GetUtcNow() - options.Value.SnapshotWindow;
        var wanted = await OpeningsOf(db, MediaRelayEndpoints.Caller(context))
            .Where(e => e.OccurredAt > since && e.Snapshot == null && (e.Result == null || !Refused.Contains(e.Result)))
            .Join(db.Devices.Where(d => d.RtspUrlProtected != null), e => e.DeviceId, d => d.Id,
                (e, d) => new { e.Id, e.DeviceId, d.RtspUrlProtected, d.RtspUsernameProtected, d.RtspPasswordProtected })
            .OrderBy(e => e.Id).Take(50)
            .ToListAsync(ct);
        return TypedResults.Ok(new OpeningSnapshotList(wanted.Select(e => new OpeningSnapshot(e.Id, e.DeviceId,
            CallMediaService.WithCredentials(cameras.Unprotect(e.RtspUrlProtected)!, cameras.Unprotect(e.RtspUsernameProtected), cameras.Unprotect(e.RtspPasswordProtected)))).ToList()));
    }

    private static async Task<IResult> StoreAsync(Guid id, HttpContext context, NeoliaDb db, DoorLog log, IOptions<MediaOptions> options, CancellationToken ct)
    {
        var (jpeg, _, problem) = await MediaRelayEndpoints.ReadJpegAsync(context, options.Value.SnapshotMaxBytes, ct);
        if (problem is not null) return problem;
        if (!await OpeningsOf(db, MediaRelayEndpoints.Caller(context)).AnyAsync(e => e.Id == id, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        return await log.AttachSnapshotAsync(id, jpeg!, ct) ? TypedResults.NoContent() : TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The event has a picture already");
    }
}
