using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.Contracts;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Media;

/// <summary>
/// <c>GET /api/calls/{id}/snapshot</c>: the visitor's JPEG, for the residents who could see the call and their
/// tenant's administrators. Anyone else, and a call without a snapshot, gets the history's 404.
/// </summary>
public static class CallSnapshotEndpoints
{
    public static string UrlOf(Guid callId) => $"/api/calls/{callId}/snapshot";

    /// <summary>
    /// The relay takes the snapshot a moment after the ring (the ring never waits for the camera), so an app that asks
    /// at once is answered when it arrives, up to this long after the ring (a camera's first keyframe can take 2 s).
    /// </summary>
    private static readonly TimeSpan WaitForFreshSnapshot = TimeSpan.FromSeconds(6);

    public static IEndpointRouteBuilder MapCallSnapshots(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calls/{id:guid}/snapshot", GetAsync).WithTags("Calls").RequireAuthorization()
            .WithSummary("The visitor's picture taken when the call rang (JPEG)")
            .Produces(StatusCodes.Status200OK, contentType: "image/jpeg").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, NeoliaDb db, CallLifecycle lifecycle, HttpContext context, CancellationToken ct)
    {
        // Tenant administrators see their tenant's calls (the context is scoped to it); residents their apartments'.
        var calls = user.IsInRole(NeoliaRoles.TenantAdmin) ? db.Calls : lifecycle.VisibleTo(user.GetUserId());
        var call = await calls.Where(c => c.Id == id).Select(c => new { c.StartedAt, c.Status }).SingleOrDefaultAsync(ct);
        if (call is null) return NotFound();

        var waitUntil = call.StartedAt + WaitForFreshSnapshot;
        while (true)
        {
            var media = await db.Set<CallMedia>().Where(m => m.CallId == id)
                .Select(m => new { m.Snapshot, m.VideoState }).SingleOrDefaultAsync(ct);
            if (media?.Snapshot is { } jpeg)
            {
                context.Response.Headers.CacheControl = "private, max-age=86400";
                return TypedResults.File(jpeg, "image/jpeg");
            }
            if (DateTimeOffset.UtcNow >= waitUntil || call.Status != CallStatuses.Ringing || media?.VideoState == VideoStates.Unavailable) return NotFound();
            await Task.Delay(TimeSpan.FromMilliseconds(150), ct);
        }
    }

    private static IResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No snapshot", detail: "None of your calls with this id has a snapshot.");
}
