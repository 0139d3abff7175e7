using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Neolia.CallApi.Data;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;

namespace Neolia.CallApi.Calls;

/// <summary>
/// Everything that happens to a call after it started ringing: answers, declines, the door opening, the door call's
/// end as its call control reports it (<see cref="DoorCallOutcome"/>) and LiveKit's room events. It knows no ARI. Each
/// status change goes through <see cref="CallStatusMoves"/>: one conditional UPDATE (exactly one of concurrent
/// requests and replicas changes the row), committed with its event, and only that one publishes.
/// </summary>
public sealed partial class CallLifecycle(
    NeoliaDb db,
    CallStatusMoves moves,
    IDoorCallControl doorControl,
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
        var room = await moves.MoveAndAnnounceAsync(callId, CallStatuses.Answered,
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
            .Select(c => new { c.Status, c.AnsweredByUserId, c.Room }).SingleOrDefaultAsync(ct);
        if (call is null) return CallActionResult.NotFound;
        // The answerer asking again is an app retrying an answer whose response it lost (a phone's network, a replica
        // that hung behind the gateway): it gets the room again, and nothing else happens twice.
        if (call is { Status: CallStatuses.Answered } && call.AnsweredByUserId == userId) return CallActionResult.Done(CallStatuses.Answered, call.Room);
        return CallActionResult.Conflict(call.Status, call.Status switch
        {
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
        if (await moves.MoveAndAnnounceAsync(callId, CallStatuses.Declined,
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
        await moves.AnnounceAsync(callId, CallEventTypes.Declined, userId, ct);
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
            .Select(c => new { c.Status, c.AnsweredByUserId, c.TenantId, c.DeviceId, c.ApartmentId, SiteId = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.SiteId).First() })
            .SingleOrDefaultAsync(ct);
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
        CallStatusMoves.Announcement? staged = null;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            staged = null;
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            if (await db.Calls.Where(c => c.Id == callId && c.Status == CallStatuses.Answered)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.DoorOpenedAt, now), CancellationToken.None) != 1) return;
            db.DoorOpenings.Add(new DoorOpening { TenantId = call.TenantId, CallId = callId, DeviceId = call.DeviceId, UserId = userId, OpenedAt = now, Result = result });
            DoorEvents.DoorLog.Stage(db, new DoorEvents.DoorEventEntry(call.TenantId, call.SiteId, call.DeviceId, DoorEvents.DoorEventKinds.OpenedInCall, now)
            {
                Method = DoorEvents.DoorEventMethods.DtmfSip, UserId = userId, ApartmentId = call.ApartmentId, CallId = callId,
                Result = result == DoorOpeningResults.Sent ? DoorEvents.DoorEventResults.Opened : DoorEvents.DoorEventResults.Failed,
            });
            staged = await moves.StageAsync(callId, CallEventTypes.DoorOpened, onlyUser: null, CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        });
        if (staged is null) return CallActionResult.Conflict(CallStatuses.Ended, "The call ended: the door opens only during an answered call.");
        await moves.PublishAsync(staged);
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
        if (await moves.MoveAndAnnounceAsync(callId, CallStatuses.Answered,
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
        // An answer that never reached the door is a failed call, answered or not; any other end of an answered call ends it.
        if (end.Outcome == DoorCallOutcome.BridgeFailed)
        {
            await moves.MoveAndAnnounceAsync(callId, CallStatuses.Failed, measured, null, CallEventTypes.Ended, ct);
        }
        else if (await moves.MoveAndAnnounceAsync(callId, CallStatuses.Ended, measured, null, CallEventTypes.Ended, ct) is null)
        {
            await moves.MoveAndAnnounceAsync(callId, StatusOf(end.Outcome), measured, null, CallEventTypes.Ended, ct);
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
        if (await moves.MoveAndAnnounceAsync(callId, CallStatuses.Answered,
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
            if (await moves.MoveAndAnnounceAsync(callId, outcome, EndedBy(now, CallEndReasons.RoomFinished), null, CallEventTypes.Ended, ct) is not null)
            {
                doorControl.CallClosed(callId, outcome);
                logger.LogInformation("Call {CallId} closed as {Status}: its LiveKit room finished", callId, outcome);
                return;
            }
        }
    }

    private static Action<UpdateSettersBuilder<Call>> EndedBy(DateTimeOffset now, string reason) =>
        s => s.SetProperty(c => c.EndedAt, now).SetProperty(c => c.EndReason, reason);
}
