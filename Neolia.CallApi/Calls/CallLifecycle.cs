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
public sealed partial class CallLifecycle(
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
        var room = await MoveAndAnnounceAsync(callId, CallStatuses.Answered,
            s => s.SetProperty(c => c.AnsweredAt, now).SetProperty(c => c.AnsweredByUserId, userId),
            c => c.ExpiresAt > now && db.ApartmentMemberships.Any(m => m.ApartmentId == c.ApartmentId && m.UserId == userId),
            CallEventTypes.Answered, ct);
        if (room is not null)
        {
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

        // The decline is committed before the check: of two last declines racing, the later check sees both.
        if (await MoveAndAnnounceAsync(callId, CallStatuses.Declined,
                s => s.SetProperty(c => c.EndedAt, now).SetProperty(c => c.EndReason, CallEndReasons.AllResidentsDeclined),
                c => !db.ApartmentMemberships.Any(m => m.ApartmentId == c.ApartmentId && m.User!.IsActive
                    && !db.CallDeclines.Any(d => d.CallId == c.Id && d.UserId == m.UserId)),
                CallEventTypes.Ended, ct) is not null)
        {
            doorControl.CallClosed(callId, CallStatuses.Declined);
            logger.LogInformation("Call {CallId} declined by every resident", callId);
            return CallActionResult.Done(CallStatuses.Declined);
        }

        // Only the decliner's devices stop ringing: the event goes to them alone.
        await AnnounceAsync(callId, CallEventTypes.Declined, userId, ct);
        logger.LogInformation("Call {CallId} declined by {UserId}; it keeps ringing for the others", callId, userId);
        var status = await db.Calls.Where(c => c.Id == callId).Select(c => c.Status).SingleAsync(ct);
        return CallActionResult.Done(status);
    }

    /// <summary>
    /// Opens the door for the resident who answered, while the call is answered and the door connected: sends the
    /// door's DTMF code on its channel (<see cref="IDoorCallControl"/>), and records the opening with what became of
    /// the code and its event in one transaction, conditional on the call still being answered, so a call that ended
    /// meanwhile records no opening. A door not connected yet (the app's answer is still being bridged through LiveKit
    /// SIP) is a conflict: nothing was sent, so nothing is recorded as opened.
    /// </summary>
    public async Task<CallActionResult> OpenDoorAsync(Guid callId, Guid userId, CancellationToken ct)
    {
        var call = await VisibleTo(userId).Where(c => c.Id == callId)
            .Select(c => new { c.Status, c.AnsweredByUserId, c.TenantId, c.DeviceId }).SingleOrDefaultAsync(ct);
        if (call is null) return CallActionResult.NotFound;
        if (call.Status != CallStatuses.Answered || call.AnsweredByUserId != userId)
        {
            return CallActionResult.Conflict(call.Status, call.Status == CallStatuses.Answered
                ? "Only the resident who answered the call can open the door."
                : $"The call is {call.Status}: the door opens only during an answered call.");
        }

        var result = await doorControl.SendDoorCodeAsync(callId, CancellationToken.None);
        if (result == DoorOpeningResults.NotSent)
        {
            return CallActionResult.Conflict(CallStatuses.Answered, "The door is not connected to the call yet: try again in a moment.");
        }
        var now = time.GetUtcNow();
        Announcement? staged = null;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            staged = null;
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            if (await db.Calls.Where(c => c.Id == callId && c.Status == CallStatuses.Answered)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.DoorOpenedAt, now), CancellationToken.None) != 1) return;
            db.DoorOpenings.Add(new DoorOpening { TenantId = call.TenantId, CallId = callId, DeviceId = call.DeviceId, UserId = userId, OpenedAt = now, Result = result });
            staged = await StageAsync(callId, CallEventTypes.DoorOpened, onlyUser: null, CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        });
        if (staged is null) return CallActionResult.Conflict(CallStatuses.Ended, "The call ended: the door opens only during an answered call.");
        await PublishAsync(staged);
        logger.LogInformation("Door {DeviceId} opened by {UserId} during call {CallId}: {Result}", call.DeviceId, userId, callId, result);
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
        if (await MoveAndAnnounceAsync(callId, CallStatuses.Answered,
                s => s.SetProperty(c => c.AnsweredAt, now).SetProperty(c => c.AnsweredByUserId, answerer), null,
                CallEventTypes.Answered, ct) is null) return false;
        logger.LogInformation("Call {CallId} answered by SIP endpoint {Endpoint}", callId, sipUsername);
        return true;
    }

    /// <summary>
    /// A resident's SIP phone (softphone) declined the door (486/603): it counts as that resident's decline in the app,
    /// with the same rule (<see cref="DeclineAsync"/>). A device that is no resident's (an indoor monitor) declines for
    /// nobody: its leg simply ends.
    /// </summary>
    /// <returns>The call's status afterwards, or null when the device is no resident's of this call's apartment.</returns>
    public async Task<string?> SipDeclinedAsync(Guid callId, string sipUsername, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        var resident = await db.Calls.Where(c => c.Id == callId)
            .SelectMany(c => db.ApartmentMemberships.Where(m => m.ApartmentId == c.ApartmentId && m.User!.SipUsername == sipUsername))
            .Select(m => new { m.UserId, m.TenantId }).FirstOrDefaultAsync(ct);
        if (resident is null) return null;
        db.TenantScope = TenantScope.Of(resident.TenantId);
        var result = await DeclineAsync(callId, resident.UserId, ct);
        return result.Status;
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
        List<StagedCallEvent> staged = [];
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            staged.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // SKIP LOCKED: replicas sweeping at once take different calls instead of waiting for each other; the status
            // condition is checked again on the locked row, so a call closed meanwhile is not closed twice.
            calls = await db.Database.SqlQueryRaw<RungOutCall>(CloseRungOutSql,
                new NpgsqlParameter<DateTimeOffset>("now", now),
                new NpgsqlParameter<DateTimeOffset>("cutoff", now - RingTimeoutGrace)).ToListAsync(ct);
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
                staged.Add(CallEventPublisher.Stage(db, missed, now));
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
            WHERE "Status" = '{Ringing}' AND "ExpiresAt" <= @cutoff
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

    /// <summary>
    /// How long past the expiry the sweeper leaves a call to its call control, which owns the ring timeout and hangs the
    /// door up with 480 at the expiry itself. A call with no door channel (an administrator's test call) or whose
    /// controller is gone is closed by the sweeper; the door, if any, is then hung up through <see cref="IDoorCallControl"/>.
    /// </summary>
    public static readonly TimeSpan RingTimeoutGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The door call is over, as its call control saw it (<see cref="DoorCallEnd"/>): keeps what it measured and moves
    /// the call once, to the status its outcome implies. An answered call ends whatever the outcome; a ringing one
    /// becomes <see cref="StatusOf"/>; a finished call stays as it is (a late or repeated report changes nothing).
    /// </summary>
    /// <returns>The call's status afterwards, or null when no call has this id.</returns>
    public async Task<string?> EndDoorCallAsync(Guid callId, DoorCallEnd end, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        var reason = CallEndReasons.Of(end.Outcome);
        Action<UpdateSettersBuilder<Call>> measured = s =>
        {
            EndedBy(now, reason)(s);
            s.SetProperty(c => c.AnsweredSeconds, end.AnsweredSeconds).SetProperty(c => c.DialedSeconds, end.DialedSeconds)
                .SetProperty(c => c.HangupCause, end.DoorHangupCause == null ? null : end.DoorHangupCause.ToString());
        };
        if (await MoveAndAnnounceAsync(callId, CallStatuses.Ended, measured, null, CallEventTypes.Ended, ct) is null)
        {
            await MoveAndAnnounceAsync(callId, StatusOf(end.Outcome), measured, null, CallEventTypes.Ended, ct);
        }
        var status = await db.Calls.Where(c => c.Id == callId).Select(c => c.Status).SingleOrDefaultAsync(CancellationToken.None);
        if (status is not null) LogDoorCallOver(logger, callId, end.Outcome, end.DoorHangupCause, status);
        return status;
    }

    // Debug: one line per call (the outcome and status are in the call's row and its events).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Door call {CallId} over ({Outcome}, door cause {Cause}): {Status}")]
    private static partial void LogDoorCallOver(ILogger logger, Guid callId, DoorCallOutcome outcome, int? cause, string status);

    /// <summary>What a call still ringing becomes for each outcome of its door call.</summary>
    public static string StatusOf(DoorCallOutcome outcome) => outcome switch
    {
        DoorCallOutcome.RangOut => CallStatuses.Missed,
        DoorCallOutcome.Declined => CallStatuses.Declined,
        DoorCallOutcome.DoorHungUp => CallStatuses.Cancelled,
        _ => CallStatuses.Failed,
    };

    /// <summary>A resident joined the call's LiveKit room: it counts as the answer if none came through the API.</summary>
    public async Task ResidentJoinedAsync(Guid callId, Guid userId, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        if (await MoveAndAnnounceAsync(callId, CallStatuses.Answered,
                s => s.SetProperty(c => c.AnsweredAt, now).SetProperty(c => c.AnsweredByUserId, userId),
                c => db.ApartmentMemberships.Any(m => m.ApartmentId == c.ApartmentId && m.UserId == userId),
                CallEventTypes.Answered, ct) is not null)
        {
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
            if (await MoveAndAnnounceAsync(callId, outcome, EndedBy(now, CallEndReasons.RoomFinished), null, CallEventTypes.Ended, ct) is not null)
            {
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
    /// A status move and its event, in one transaction (the one rule for events: a change and its announcement are
    /// saved together or not at all), then the event is published. Once the move is committed nothing cancels the
    /// rest: the sockets must hear of it. A finished call also gets its LiveKit room deleted and its media released, in
    /// the background (those clients have their own timeouts and never throw).
    /// </summary>
    /// <returns>The call's room when this caller made the move; null when the call was not in a state to move.</returns>
    private async Task<string?> MoveAndAnnounceAsync(Guid callId, string to, Action<UpdateSettersBuilder<Call>> alsoSet,
        Expression<Func<Call, bool>>? condition, string eventType, CancellationToken ct)
    {
        Announcement? staged = null;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            staged = null;
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (!await MoveAsync(callId, to, alsoSet, condition, ct)) return; // nothing moved: rolled back, nothing to say
            staged = await StageAsync(callId, eventType, onlyUser: null, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });
        if (staged is null) return null;
        return await PublishAsync(staged);
    }

    /// <summary>An event that reports no status move (one resident's decline): staged and published.</summary>
    private async Task AnnounceAsync(Guid callId, string eventType, Guid? onlyUser, CancellationToken ct)
    {
        var staged = await StageAsync(callId, eventType, onlyUser, ct);
        await db.SaveChangesAsync(CancellationToken.None);
        await PublishAsync(staged);
    }

    /// <summary>Adds the event of <paramref name="eventType"/> about the call as it is now to the outbox of this unit of work.</summary>
    private async Task<Announcement> StageAsync(Guid callId, string eventType, Guid? onlyUser, CancellationToken ct)
    {
        var call = await db.Calls.AsNoTracking().Where(c => c.Id == callId)
            .Select(c => new { c.TenantId, c.ApartmentId, c.AnsweredByUserId, c.Room, c.Status })
            .SingleAsync(ct);
        var to = onlyUser is { } user
            ? await recipients.OfUsersAsync([user], ct)
            : (await recipients.OfApartmentsAsync([call.ApartmentId], ct))[call.ApartmentId].ToList();
        return new Announcement(CallEventPublisher.Stage(db, new CallEvent
        {
            Type = eventType,
            CallId = callId,
            TenantId = call.TenantId,
            ApartmentId = call.ApartmentId,
            Status = call.Status,
            OccurredAt = time.GetUtcNow(),
            AnsweredBy = call.AnsweredByUserId,
            Recipients = to,
        }, time.GetUtcNow()), call.Room);
    }

    private sealed record Announcement(StagedCallEvent Staged, string Room);

    private async Task<string> PublishAsync(Announcement announcement)
    {
        await events.PublishStagedAsync(announcement.Staged);
        if (announcement.Staged.Event is { Type: CallEventTypes.Ended, CallId: var callId })
        {
            _ = liveKitRooms.DeleteRoomAsync(announcement.Room, CancellationToken.None);
            await media.ReleaseAsync(callId, announcement.Room);
        }
        return announcement.Room;
    }
}

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
