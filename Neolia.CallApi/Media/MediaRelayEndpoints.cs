using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.Contracts;

namespace Neolia.CallApi.Media;

/// <summary>
/// What the media relays call. The stack's relays use <c>/internal/media</c> on the private network (the gateway does
/// not route it) with the shared secret; a relay box inside a building uses <c>/api/site-relay</c> through the gateway
/// with its site's credential, and sees only its site's calls. The answers carry camera credentials: never log them.
/// </summary>
public static class MediaRelayEndpoints
{
    public static IEndpointRouteBuilder MapMediaRelayEndpoints(this IEndpointRouteBuilder app)
    {
        MapRelayApi(app.MapGroup(MediaRelayApi.StackPrefix).ExcludeFromDescription().RequireStackRelay());
        MapRelayApi(app.MapGroup(MediaRelayApi.SitePrefix).WithTags("Site relays").RequireSiteRelay());
        return app;
    }

    /// <summary>Only the relays <paramref name="identify"/> knows reach the group's endpoints (<see cref="Caller"/> says which).</summary>
    public static RouteGroupBuilder RequireRelay(this RouteGroupBuilder relay, Func<HttpContext, Task<RelayCaller?>> identify) =>
        relay.AddEndpointFilter(async (context, next) =>
        {
            // An unknown caller gets the same 404 as an unknown path: the relay API does not announce itself.
            if (await identify(context.HttpContext) is not { } caller) return NotFound();
            context.HttpContext.Items[typeof(RelayCaller)] = caller;
            return await next(context);
        });

    /// <summary>A stack relay only, with the shared secret.</summary>
    public static RouteGroupBuilder RequireStackRelay(this RouteGroupBuilder relay) =>
        relay.RequireRelay(context => Task.FromResult(RelayCaller.IsStackRelay(context, context.RequestServices.GetRequiredService<IOptions<MediaOptions>>()) ? RelayCaller.Stack : null));

    /// <summary>A site box only, with its site's credential.</summary>
    public static RouteGroupBuilder RequireSiteRelay(this RouteGroupBuilder relay) =>
        relay.RequireRelay(context => RelayCaller.SiteRelayAsync(context, context.RequestServices.GetRequiredService<NeoliaDb>()));

    private static void MapRelayApi(RouteGroupBuilder relay)
    {
        relay.MapGet("/calls", ListAsync).WithSummary("The calls whose door video this relay should stream (long poll with wait and tag)");
        relay.MapPost("/calls/{id:guid}/stream", StreamAsync).WithSummary("A call's stream: the camera's RTSP URL and the ingress to publish to (created on first use)");
        relay.MapPut("/calls/{id:guid}/snapshot", SnapshotAsync).WithSummary("Store the visitor's JPEG for a call").Accepts<byte[]>("image/jpeg");
        relay.MapPost("/calls/{id:guid}/video", VideoAsync).WithSummary("Report the door video's state (live, unavailable)");
    }

    public static RelayCaller Caller(HttpContext context) => (RelayCaller)context.Items[typeof(RelayCaller)]!;

    /// <summary>The calls to stream now. With <c>wait</c> (seconds) and the <c>tag</c> of the last answer, answers when the list changes or the wait is over.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, CallMediaService media, CallEventSignal signal, int? wait, string? tag, CancellationToken ct)
    {
        if (wait is < 0 or > MediaRelayApi.MaxWaitSeconds)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["wait"] = [$"Between 0 and {MediaRelayApi.MaxWaitSeconds} seconds."] });
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(wait ?? 0);
        while (true)
        {
            var next = signal.Next;
            var list = await media.ActiveCallsAsync(Caller(context), ct);
            var left = deadline - DateTime.UtcNow;
            if (list.Tag != tag || left <= TimeSpan.Zero) return TypedResults.Ok(list);
            // Woken by any call event; the cap re-reads now and then in case a poke was lost.
            await Task.WhenAny(next, Task.Delay(left < TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5), ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    private static async Task<IResult> StreamAsync(Guid id, HttpContext context, CallMediaService media, CancellationToken ct)
    {
        var (outcome, stream) = await media.StreamAsync(Caller(context), id, ct);
        return outcome switch
        {
            StreamOutcome.Ready => TypedResults.Ok(stream),
            StreamOutcome.Finished => TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "The call is over"),
            StreamOutcome.NoCamera => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The door has no camera"),
            StreamOutcome.IngressFailed => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "LiveKit Ingress is unavailable", detail: "No ingress could be created for the call; try again."),
            _ => NotFound(),
        };
    }

    private static async Task<IResult> SnapshotAsync(Guid id, HttpContext context, CallMediaService media, IOptions<MediaOptions> options, CancellationToken ct)
    {
        var (jpeg, size, problem) = await ReadJpegAsync(context, options.Value.SnapshotMaxBytes, ct);
        if (problem is not null) return problem;
        return await media.StoreSnapshotAsync(Caller(context), id, jpeg!, size!.Value, ct) ? TypedResults.NoContent() : NotFound();
    }

    /// <summary>The request's body as one JPEG of at most <paramref name="max"/> bytes, or the problem to answer (413, 415).</summary>
    public static async Task<(byte[]? Jpeg, (int Width, int Height)? Size, IResult? Problem)> ReadJpegAsync(HttpContext context, int max, CancellationToken ct)
    {
        if (context.Request.ContentLength > max) return (null, null, TooLarge(max));
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, ct);
        if (body.Length > max) return (null, null, TooLarge(max));
        var jpeg = body.ToArray();
        if (Jpeg.Dimensions(jpeg) is not { } size)
        {
            return (null, null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not a JPEG", detail: "The body must be one JPEG image."));
        }
        return (jpeg, size, null);
    }

    private static async Task<IResult> VideoAsync(Guid id, VideoReport report, HttpContext context, CallMediaService media, CancellationToken ct)
    {
        if (report.State is not (VideoStates.Live or VideoStates.Unavailable))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["state"] = [$"One of: {VideoStates.Live}, {VideoStates.Unavailable}."] });
        }
        return await media.ReportVideoAsync(Caller(context), id, report.State, report.Reason, ct) ? TypedResults.NoContent() : NotFound();
    }

    private static IResult TooLarge(int max) => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Snapshot too large", detail: $"A snapshot may be at most {max} bytes.");

    private static IResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
