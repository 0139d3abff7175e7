using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Neolia.CallApi.Data;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;
using Npgsql;

namespace Neolia.CallApi.Calls;

/// <summary>
/// Everything that happens to a call after it started ringing: answers, declines, the door opening, the ring timeout,
/// Asterisk's hangup and LiveKit's room events. Each status change is one conditional UPDATE whose WHERE holds the
/// legal source statuses of <see cref="CallStatusMachine"/> (and any other precondition): PostgreSQL's row lock
/// decides concurrent requests and replicas, exactly one of them changes the row, and only that one publishes.
/// </summary>
public sealed class CallLifecycle(
    NeoliaDb db,
    CallEventPublisher events,
    CallRecipients recipients,
    RoomServiceClient liveKitRooms,
    IDoorCallControl doorControl,
    Media.CallMediaService media,
    TimeProvider time,
    ILogger<CallLifecycle> logger) : ICallRoomEvents
{
    /// <summary>The calls of the apartments <paramref name="userId"/> lives in (within the context's tenant scope).</summary>
    public IQueryable<Call> VisibleTo(Guid userId) =>
        db.Calls.Where(c => db.ApartmentMemberships.Any(m => m.ApartmentId == c.ApartmentId && m.UserId == userId));

    /// <summary>First answer wins: only a ringing, unexpired call of one of the resident's apartments is answered.</summary>
    public async Task<CallActionResult> AnswerAsync(Guid callId, Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var answered = await MoveAsync(callId, CallStatuses.Answered,
            s => s.SetProperty(c => c.AnsweredAt, now).SetProperty(c => c.AnsweredByUserId, userId),
            c => c.ExpiresAt > now && db.ApartmentMemberships.Any(m => m.ApartmentId == c.ApartmentId && m.UserId == userId), ct);
        if (answered)
        {
            var room = await PublishAsync(callId, CallEventTypes.Answered, CallStatuses.Answered);
            doorControl.AppAnswered(callId);
            logger.LogInformation("Call {CallId} answered in the app by {UserId}", callId, userId);
            return CallActionResult.Done(CallStatuses.Answered, room);
        }

        var call = await VisibleTo(userId).Where(c => c.Id == callId)
            .Select(c => new { c.Status, c.AnsweredByUserId }).SingleOrDefaultAsync(ct);
        if (call is null) return CallActionResult.NotFound;
        return CallActionResult.Conflict(call.Status, call.Status switch
        {
            CallStatuses.Answered when call.AnsweredByUserId == userId => "You already answered this call.",
            CallStatuses.Answered => "Someone else answered this call first.",
            CallStatuses.Ringing => "The call rang out before it was answered.",
            _ => $"The call is {call.Status}: it can no longer be answered.",
        });
    }

    /// <summary>
    /// The decline rule: a resident's decline stops the ringing on that resident's devices only (they get
    /// <c>call_updated</c> with status <c>declined</c>, and the call leaves their replay). The call itself becomes
    /// <c>declined</c> when every active resident of the apartment has declined; until then it keeps ringing for the
    /// others, and ends as answered or missed as usual. Declining again is a no-op; declining a call that no longer
    /// rings is a conflict.
    /// </summary>
    public async Task<CallActionResult> DeclineAsync(Guid callId, Guid userId, CancellationToken ct)
    {
        var call = await VisibleTo(userId).Where(c => c.Id == callId)
            .Select(c => new { c.Status, c.TenantId }).SingleOrDefaultAsync(ct);
        if (call is null) return CallActionResult.NotFound;
        if (call.Status != CallStatuses.Ringing)
        {
            return CallActionResult.Conflict(call.Status, $"The call is {call.Status}: only a ringing call can be declined.");
        }

        var now = time.GetUtcNow();
        db.CallDeclines.Add(new CallDecline { CallId = callId, UserId = userId, TenantId = call.TenantId, DeclinedAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
        }

        // Inserted and committed before the check: of two last declines racing, the later check sees both.
        var everyoneDeclined = await MoveAsync(callId, CallStatuses.Declined,
            s => s.SetProperty(c => c.EndedAt, now).SetProperty(c => c.EndReason, CallEndReasons.AllResidentsDeclined),
            c => !db.ApartmentMemberships.Any(m => m.ApartmentId == c.ApartmentId && m.User!.IsActive
                && !db.CallDeclines.Any(d => d.CallId == c.Id && d.UserId == m.UserId)), ct);
        if (everyoneDeclined)
        {
            await PublishAsync(callId, CallEventTypes.Ended, CallStatuses.Declined);
            doorControl.CallClosed(callId, CallStatuses.Declined);
            logger.LogInformation("Call {CallId} declined by every resident", callId);
            return CallActionResult.Done(CallStatuses.Declined);
        }

        await PublishAsync(callId, CallEventTypes.Declined, CallStatuses.Ringing, only: [new CallRecipient(userId)]);
        logger.LogInformation("Call {CallId} declined by {UserId}; it keeps ringing for the others", callId, userId);
        var status = await db.Calls.Where(c => c.Id == callId).Select(c => c.Status).SingleAsync(ct);
        return CallActionResult.Done(status);
    }

    /// <summary>
    /// Opens the door for the resident who answered, while the call is answered: sends the door's DTMF code on its
    /// channel (<see cref="IDoorCallControl"/>), records the opening with what became of the code, and announces it
    /// (<see cref="CallEventTypes.DoorOpened"/>). The check is one conditional UPDATE, so a call that ends at that
    /// instant cannot open the door.
    /// </summary>
    public async Task<CallActionResult> OpenDoorAsync(Guid callId, Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var opened = await db.Calls
            .Where(c => c.Id == callId && c.Status == CallStatuses.Answered && c.AnsweredByUserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.DoorOpenedAt, now), ct) == 1;
        if (!opened)
        {
            var call = await VisibleTo(userId).Where(c => c.Id == callId)
                .Select(c => new { c.Status, c.AnsweredByUserId }).SingleOrDefaultAsync(ct);
            if (call is null) return CallActionResult.NotFound;
            return CallActionResult.Conflict(call.Status, call.Status == CallStatuses.Answered
                ? "Only the resident who answered the call can open the door."
                : $"The call is {call.Status}: the door opens only during an answered call.");
        }

        var result = await doorControl.SendDoorCodeAsync(callId, CancellationToken.None);
        var door = await db.Calls.Where(c => c.Id == callId).Select(c => new { c.TenantId, c.DeviceId }).SingleAsync(CancellationToken.None);
        db.DoorOpenings.Add(new DoorOpening { TenantId = door.TenantId, CallId = callId, DeviceId = door.DeviceId, UserId = userId, OpenedAt = now, Result = result });
        await db.SaveChangesAsync(CancellationToken.None);
        await PublishAsync(callId, CallEventTypes.DoorOpened, CallStatuses.Answered);
        logger.LogInformation("Door {DeviceId} opened by {UserId} during call {CallId}: {Result}", door.DeviceId, userId, callId, result);
        return CallActionResult.Done(CallStatuses.Answered, openedAt: now, doorCode: result);
    }

    /// <summary>
    /// A SIP endpoint of the apartment (indoor monitor, softphone) answered the door under ARI control: first answer
    /// wins, and the answer is announced at once. The resident whose SIP account it is counts as the answerer.
    /// </summary>
    /// <returns>True when this answer won.</returns>
    public async Task<bool> SipAnsweredAsync(Guid callId, string sipUsername, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        var answerer = await db.Calls.Where(c => c.Id == callId)
            .SelectMany(c => db.ApartmentMemberships.Where(m => m.ApartmentId == c.ApartmentId && m.User!.SipUsername == sipUsername))
            .Select(m => (Guid?)m.UserId).FirstOrDefaultAsync(ct);
        if (!await MoveAsync(callId, CallStatuses.Answered,
                s => s.SetProperty(c => c.AnsweredAt, now).SetProperty(c => c.AnsweredByUserId, answerer), null, ct)) return false;
        await PublishAsync(callId, CallEventTypes.Answered, CallStatuses.Answered);
        logger.LogInformation("Call {CallId} answered by SIP endpoint {Endpoint}", callId, sipUsername);
        return true;
    }

    /// <summary>
    /// Closes ringing calls nobody closed after their ring timeout as <c>missed</c>; each replica may run this, each call
    /// is closed once. It is a backstop, not the owner of the ring timeout: the dialplan's Dial() (or the ARI call control)
    /// ends the ring and reports it, so the sweeper waits a grace period past the expiry before it steps in. Every expired
    /// call is closed, in batches of <see cref="RungOutBatchSize"/>: a batch is one conditional UPDATE (the status move of
    /// <see cref="CallStatusMachine"/>, so a call another replica or Asterisk closed first is left alone) with the outbox
    /// rows of its <c>ended</c> events in the same transaction, then one Redis batch for all of them.
    /// </summary>
    public async Task<int> CloseRungOutCallsAsync(CancellationToken ct)
    {
        var closed = 0;
        int batch;
        do
        {
            batch = await CloseRungOutBatchAsync(ct);
            closed += batch;
        } while (batch == RungOutBatchSize);
        if (closed > 0) logger.LogInformation("{Count} call(s) rang out unanswered: missed", closed);
        return closed;
    }

    /// <summary>At most this many calls are closed by one UPDATE (and published in one Redis batch).</summary>
    internal const int RungOutBatchSize = 500;

    private async Task<int> CloseRungOutBatchAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        List<RungOutCall> calls = [];
        List<(CallEvent Event, PendingCallEvent Staged)> staged = [];
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            staged.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // SKIP LOCKED: replicas sweeping at once take different calls instead of waiting for each other; the status
            // condition is checked again on the locked row, so a call closed meanwhile is not closed twice.
            calls = await db.Database.SqlQueryRaw<RungOutCall>(CloseRungOutSql,
                new NpgsqlParameter<DateTimeOffset>("now", now),
                new NpgsqlParameter<DateTimeOffset>("dialplanCutoff", now - DialplanTimeoutGrace),
                new NpgsqlParameter<DateTimeOffset>("ariCutoff", now - AriTimeoutGrace)).ToListAsync(ct);
            if (calls.Count == 0) return;

            var residents = await recipients.OfApartmentsAsync(calls.Select(c => c.ApartmentId).Distinct().ToList(), ct);
            foreach (var call in calls)
            {
                var missed = new CallEvent
                {
                    Type = CallEventTypes.Ended,
                    CallId = call.Id,
                    TenantId = call.TenantId,
                    ApartmentId = call.ApartmentId,
                    Status = CallStatuses.Missed,
                    OccurredAt = now,
                    Recipients = residents[call.ApartmentId].ToList(),
                };
                staged.Add((missed, CallEventPublisher.Stage(db, missed, now)));
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });
        if (calls.Count == 0) return 0;

        await events.PublishStagedAsync(staged);
        foreach (var call in calls)
        {
            _ = liveKitRooms.DeleteRoomAsync(call.Room, CancellationToken.None);
            doorControl.CallClosed(call.Id, CallStatuses.Missed);
        }
        await media.ReleaseAsync(calls.Select(c => (c.Id, c.Room)).ToList());
        return calls.Count;
    }

    // Missed is reached from ringing only (CallStatusMachine); written as a literal so PostgreSQL uses the partial index
    // of ringing calls. Constants only: the values are parameters.
    private static readonly string Ringing = CallStatusMachine.SourcesOf(CallStatuses.Missed).Single();
    private static readonly string CloseRungOutSql = $"""
        UPDATE "Calls" SET "Status" = '{CallStatuses.Missed}', "EndedAt" = @now, "EndReason" = '{CallEndReasons.RingTimeout}'
        WHERE "Id" IN (
            SELECT "Id" FROM "Calls"
            WHERE "Status" = '{Ringing}' AND "ExpiresAt" <= @dialplanCutoff
                AND ("Control" <> '{CallControls.Ari}' OR "ExpiresAt" <= @ariCutoff)
            ORDER BY "ExpiresAt"
            LIMIT {RungOutBatchSize}
            FOR UPDATE SKIP LOCKED)
        AND "Status" = '{Ringing}' AND "ExpiresAt" <= @now
        RETURNING "Id", "TenantId", "ApartmentId", "Room"
        """;

    /// <summary>A call the sweeper closed (the UPDATE's RETURNING row).</summary>
    private sealed class RungOutCall
    {
        public Guid Id { get; set; }
        public Guid TenantId { get; set; }
        public Guid ApartmentId { get; set; }
        public string Room { get; set; } = "";
    }

    /// <summary>How long past the expiry the sweeper leaves a dialplan call to Dial()'s own timeout and hangup report.</summary>
    public static readonly TimeSpan DialplanTimeoutGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long past the expiry the sweeper leaves an ARI call to the call control (which may be reconnecting).</summary>
    public static readonly TimeSpan AriTimeoutGrace = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Asterisk's hangup handler: keeps what Asterisk reports (once) and moves the call to the outcome it implies.
    /// An answered call ends whatever the dial status (the app answered through LiveKit, not through the SIP dial);
    /// a ringing call becomes <see cref="AsteriskOutcome"/>; a finished call stays as it is.
    /// </summary>
    /// <returns>The call's status afterwards, or null when no call has this id.</returns>
    public async Task<string?> EndFromAsteriskAsync(AsteriskHangup hangup, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        var byId = Guid.TryParse(hangup.CallId, out var parsed) ? parsed : (Guid?)null;
        var callId = await db.Calls
            .Where(c => c.AsteriskCallId == hangup.CallId || (byId != null && c.Id == byId))
            .Select(c => (Guid?)c.Id).FirstOrDefaultAsync(ct);
        if (callId is not { } id) return null;

        // Only the first report is kept: a repeated or late hangup never rewrites what Asterisk said.
        var dialStatus = hangup.DialStatus?.Trim().ToUpperInvariant() ?? "";
        await db.Calls.Where(c => c.Id == id && c.DialStatus == null).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.DialStatus, dialStatus)
            .SetProperty(c => c.AnsweredSeconds, hangup.AnsweredSeconds)
            .SetProperty(c => c.DialedSeconds, hangup.DialedSeconds)
            .SetProperty(c => c.HangupCause, hangup.Cause), ct);

        var now = time.GetUtcNow();
        if (dialStatus == "ANSWER")
        {
            // A SIP endpoint (indoor monitor, app softphone) answered: nobody in the app did.
            var answeredAt = now - TimeSpan.FromSeconds(hangup.AnsweredSeconds ?? 0);
            if (await MoveAsync(id, CallStatuses.Answered, s => s.SetProperty(c => c.AnsweredAt, answeredAt), null, ct))
            {
                await PublishAsync(id, CallEventTypes.Answered, CallStatuses.Answered);
            }
        }
        var reason = hangup.EndReason ?? CallEndReasons.AsteriskHangup;
        if (await MoveAsync(id, CallStatuses.Ended, EndedBy(now, reason), null, ct))
        {
            await PublishAsync(id, CallEventTypes.Ended, CallStatuses.Ended);
        }
        else if (dialStatus != "ANSWER" && AsteriskOutcome(dialStatus) is var outcome
            && await MoveAsync(id, outcome, EndedBy(now, reason), null, ct))
        {
            await PublishAsync(id, CallEventTypes.Ended, outcome);
        }

        var status = await db.Calls.Where(c => c.Id == id).Select(c => c.Status).SingleAsync(CancellationToken.None);
        logger.LogInformation("Asterisk hung up call {CallId} (DIALSTATUS {DialStatus}, cause {Cause}): {Status}",
            id, dialStatus, hangup.Cause, status);
        return status;
    }

    /// <summary>
    /// What a ringing call becomes when Asterisk hangs up with this <c>DIALSTATUS</c>: NOANSWER → missed (rang out);
    /// BUSY → declined (every endpoint rejected it); CANCEL, or no dial status at all (the visitor hung up before or
    /// during the dial) → cancelled; CONGESTION, CHANUNAVAIL and anything else → failed.
    /// </summary>
    public static string AsteriskOutcome(string dialStatus) => dialStatus switch
    {
        "NOANSWER" => CallStatuses.Missed,
        "BUSY" => CallStatuses.Declined,
        "CANCEL" or "" => CallStatuses.Cancelled,
        _ => CallStatuses.Failed,
    };

    /// <summary>A resident joined the call's LiveKit room: it counts as the answer if none came through the API.</summary>
    public async Task ResidentJoinedAsync(Guid callId, Guid userId, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        if (await MoveAsync(callId, CallStatuses.Answered,
                s => s.SetProperty(c => c.AnsweredAt, now).SetProperty(c => c.AnsweredByUserId, userId),
                c => db.ApartmentMemberships.Any(m => m.ApartmentId == c.ApartmentId && m.UserId == userId), ct))
        {
            await PublishAsync(callId, CallEventTypes.Answered, CallStatuses.Answered);
            doorControl.AppAnswered(callId);
            logger.LogInformation("Call {CallId} answered by {UserId} joining its room", callId, userId);
        }
    }

    /// <summary>LiveKit closed the call's room: an answered call ends, a call still ringing is missed.</summary>
    public async Task RoomFinishedAsync(Guid callId, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        foreach (var outcome in (string[])[CallStatuses.Ended, CallStatuses.Missed])
        {
            if (await MoveAsync(callId, outcome, EndedBy(now, CallEndReasons.RoomFinished), null, ct))
            {
                await PublishAsync(callId, CallEventTypes.Ended, outcome);
                doorControl.CallClosed(callId, outcome);
                logger.LogInformation("Call {CallId} closed as {Status}: its LiveKit room finished", callId, outcome);
                return;
            }
        }
    }

    private static Action<UpdateSettersBuilder<Call>> EndedBy(DateTimeOffset now, string reason) =>
        s => s.SetProperty(c => c.EndedAt, now).SetProperty(c => c.EndReason, reason);

    /// <summary>The only writer of <see cref="Call.Status"/> after the ring: one conditional UPDATE, true when this caller made the move.</summary>
    private async Task<bool> MoveAsync(Guid callId, string to, Action<UpdateSettersBuilder<Call>> alsoSet,
        Expression<Func<Call, bool>>? condition, CancellationToken ct)
    {
        var sources = CallStatusMachine.SourcesOf(to);
        var query = db.Calls.Where(c => c.Id == callId && sources.Contains(c.Status));
        if (condition is not null) query = query.Where(condition);
        return await query.ExecuteUpdateAsync(s =>
        {
            s.SetProperty(c => c.Status, to);
            alsoSet(s);
        }, ct) == 1;
    }

    /// <summary>
    /// Announces a move this caller made. Never cancelled by the request: once the row changed, the sockets must hear
    /// of it. Finished calls also get their LiveKit room deleted, in the background (the client has its own timeouts
    /// and never throws), so no webhook waits for LiveKit.
    /// </summary>
    /// <returns>The call's room.</returns>
    private async Task<string> PublishAsync(Guid callId, string type, string status, IReadOnlyList<CallRecipient>? only = null)
    {
        var call = await db.Calls.AsNoTracking().Where(c => c.Id == callId)
            .Select(c => new { c.TenantId, c.ApartmentId, c.AnsweredByUserId, c.Room })
            .SingleAsync(CancellationToken.None);
        await events.PublishAsync(new CallEvent
        {
            Type = type,
            CallId = callId,
            TenantId = call.TenantId,
            ApartmentId = call.ApartmentId,
            Status = status,
            OccurredAt = time.GetUtcNow(),
            AnsweredBy = call.AnsweredByUserId,
            Recipients = only ?? await recipients.OfApartmentAsync(call.ApartmentId, CancellationToken.None),
        });
        if (type == CallEventTypes.Ended)
        {
            _ = liveKitRooms.DeleteRoomAsync(call.Room, CancellationToken.None);
            await media.ReleaseAsync(callId, call.Room);
        }
        return call.Room;
    }
}

/// <summary>What Asterisk's hangup handler reports (<c>/webhook/call/end</c>).</summary>
/// <param name="CallId">The UNIQUEID sent to <c>/webhook/call</c> (or the <c>call_id</c> that webhook answered).</param>
/// <param name="EndReason">Neolia's reason when the reporter knows better than "Asterisk hung up" (the ARI call control's ring timeout).</param>
public sealed record AsteriskHangup(string CallId, string? DialStatus, int? AnsweredSeconds, int? DialedSeconds, string? Cause, string? EndReason = null);

public enum CallActionOutcome
{
    Done,
    /// <summary>No such call among the caller's apartments (another tenant's or apartment's call looks the same).</summary>
    NotFound,
    /// <summary>The call exists but its status does not allow the action (someone else answered, it ended, …).</summary>
    Conflict,
}

public sealed record CallActionResult(CallActionOutcome Outcome, string? Status = null, string? Room = null, string? Detail = null,
    DateTimeOffset? OpenedAt = null, string? DoorCode = null)
{
    public static readonly CallActionResult NotFound = new(CallActionOutcome.NotFound);
    public static CallActionResult Done(string status, string? room = null, DateTimeOffset? openedAt = null, string? doorCode = null) =>
        new(CallActionOutcome.Done, status, room, OpenedAt: openedAt, DoorCode: doorCode);
    public static CallActionResult Conflict(string status, string detail) => new(CallActionOutcome.Conflict, status, Detail: detail);
}
