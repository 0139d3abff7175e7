using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.LiveKit;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Calls;

/// <summary>
/// The resident's calls (<c>/api/calls</c>, through the gateway). A resident sees and acts on the calls of their own
/// apartments only; any other id, another tenant's included, answers 404 so nothing about it leaks.
/// </summary>
public static class CallEndpoints
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapCallEndpoints(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup("/api/calls").WithTags("Calls").RequireAuthorization();
        calls.MapGet("/", ListAsync).WithSummary("My call history, newest first (cursor paging, status filter)");
        calls.MapGet("/{id:guid}", GetAsync).WithSummary("One of my calls");
        calls.MapPost("/{id:guid}/answer", AnswerAsync).WithSummary("Answer a ringing call: the LiveKit URL, token and room (first answer wins, others get 409; the answerer answering again gets the room again)");
        calls.MapPost("/{id:guid}/decline", DeclineAsync).WithSummary("Decline a ringing call (stops my devices; the call is declined once every resident declined)");
        calls.MapPost("/{id:guid}/open-door", OpenDoorAsync).WithSummary("Open the door of the call I answered");
        return app;
    }

    public sealed record CallSummary(
        Guid Id, string Status, string Caller, string Device, string Apartment, string Room,
        DateTimeOffset StartedAt, DateTimeOffset ExpiresAt, DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt,
        Guid? AnsweredBy, string? EndReason, int? AnsweredSeconds, int? DialedSeconds,
        string? HangupCause, DateTimeOffset? DoorOpenedAt, string? DoorCode, bool DeclinedByMe, string? SnapshotUrl = null);

    public sealed record CallPage(IReadOnlyList<CallSummary> Items, string? NextCursor);

    public sealed record AnswerResponse(string LivekitUrl, string Token, string Room);

    public sealed record CallStatusResponse(Guid Id, string Status);

    /// <param name="DoorCode">What became of the DTMF code: dtmf_sent or dtmf_failed (a door not connected yet is a 409: nothing was sent).</param>
    public sealed record DoorOpenedResponse(Guid Id, DateTimeOffset OpenedAt, string DoorCode);

    private static async Task<Results<Ok<CallPage>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, CallLifecycle lifecycle, NeoliaDb db, string? status, string? cursor, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !CallStatusMachine.IsKnown(status))
        {
            errors["status"] = [$"Unknown status; use one of: {string.Join(", ", CallStatusMachine.All)}."];
        }
        if (limit is < 1 or > MaxPageSize) errors["limit"] = [$"The limit must be between 1 and {MaxPageSize}."];
        var after = cursor is null ? null : HistoryCursor.TryParse(cursor);
        if (cursor is not null && after is null) errors["cursor"] = ["The cursor is not one this API gave out."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "Invalid history query");

        var userId = user.GetUserId();
        var query = lifecycle.VisibleTo(userId);
        if (status is not null) query = query.Where(c => c.Status == status);
        if (after is { } a)
        {
            query = query.Where(c => EF.Functions.LessThan(ValueTuple.Create(c.StartedAt, c.Id), ValueTuple.Create(a.StartedAt, a.Id)));
        }
        var size = limit ?? DefaultPageSize;
        var page = await Summaries(query.OrderByDescending(c => c.StartedAt).ThenByDescending(c => c.Id).Take(size + 1), db, userId)
            .ToListAsync(ct);
        var next = page.Count > size ? HistoryCursor.Format(page[size - 1].StartedAt, page[size - 1].Id) : null;
        return TypedResults.Ok(new CallPage(page.Take(size).ToList(), next));
    }

    private static async Task<Results<Ok<CallSummary>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, CallLifecycle lifecycle, NeoliaDb db, CancellationToken ct)
    {
        var userId = user.GetUserId();
        var call = await Summaries(lifecycle.VisibleTo(userId).Where(c => c.Id == id), db, userId).SingleOrDefaultAsync(ct);
        return call is null ? NotFound() : TypedResults.Ok(call);
    }

    private static async Task<Results<Ok<AnswerResponse>, ProblemHttpResult>> AnswerAsync(
        Guid id, ClaimsPrincipal user, CallLifecycle lifecycle, LiveKitTokens tokens, CancellationToken ct)
    {
        var userId = user.GetUserId();
        var result = await lifecycle.AnswerAsync(id, userId, ct);
        if (result.Outcome != CallActionOutcome.Done) return Problem(result);
        var token = tokens.ForResident(result.Room!, userId, user.FindFirst(NeoliaClaims.Name)?.Value);
        return TypedResults.Ok(new AnswerResponse(tokens.ClientUrl, token, result.Room!));
    }

    private static async Task<Results<Ok<CallStatusResponse>, ProblemHttpResult>> DeclineAsync(
        Guid id, ClaimsPrincipal user, CallLifecycle lifecycle, CancellationToken ct)
    {
        var result = await lifecycle.DeclineAsync(id, user.GetUserId(), ct);
        return result.Outcome == CallActionOutcome.Done ? TypedResults.Ok(new CallStatusResponse(id, result.Status!)) : Problem(result);
    }

    private static async Task<Results<Ok<DoorOpenedResponse>, ProblemHttpResult>> OpenDoorAsync(
        Guid id, ClaimsPrincipal user, CallLifecycle lifecycle, CancellationToken ct)
    {
        var result = await lifecycle.OpenDoorAsync(id, user.GetUserId(), ct);
        return result.Outcome == CallActionOutcome.Done ? TypedResults.Ok(new DoorOpenedResponse(id, result.OpenedAt!.Value, result.DoorCode!)) : Problem(result);
    }

    private static IQueryable<CallSummary> Summaries(IQueryable<Call> calls, NeoliaDb db, Guid userId) =>
        calls.Select(c => new CallSummary(
            c.Id, c.Status, c.Caller,
            db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.Name).First(),
            db.Apartments.Where(a => a.Id == c.ApartmentId).Select(a => a.Number).First(),
            c.Room, c.StartedAt, c.ExpiresAt, c.AnsweredAt, c.EndedAt, c.AnsweredByUserId, c.EndReason,
            c.AnsweredSeconds, c.DialedSeconds, c.HangupCause, c.DoorOpenedAt,
            db.DoorOpenings.Where(o => o.CallId == c.Id).OrderByDescending(o => o.OpenedAt).Select(o => o.Result).FirstOrDefault(),
            db.CallDeclines.Any(d => d.CallId == c.Id && d.UserId == userId),
            db.Set<Media.CallMedia>().Any(m => m.CallId == c.Id && m.Snapshot != null) ? Media.CallSnapshotEndpoints.UrlOf(c.Id) : null));

    private static ProblemHttpResult Problem(CallActionResult result) => result.Outcome switch
    {
        CallActionOutcome.NotFound => NotFound(),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The call's status does not allow this",
            detail: result.Detail, extensions: new Dictionary<string, object?> { ["callStatus"] = result.Status }),
    };

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No such call", detail: "None of your apartments has a call with this id.");

    /// <summary>Keyset position in the newest-first history: (StartedAt, Id) of the last item returned, opaque to clients.</summary>
    private static class HistoryCursor
    {
        public static string Format(DateTimeOffset startedAt, Guid id) =>
            Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{startedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{id:N}"));

        public static (DateTimeOffset StartedAt, Guid Id)? TryParse(string cursor)
        {
            try
            {
                var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor)).Split(':');
                if (parts.Length == 2
                    && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                    && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                    && Guid.TryParseExact(parts[1], "N", out var id))
                {
                    return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
                }
            }
            catch (FormatException) { }
            return null;
        }
    }
}
