using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Neolia.CallApi.Data;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;

namespace Neolia.CallApi.Calls;

/// <summary>
/// How a call's status changes after the ring, and how the change is announced: each move is one conditional UPDATE
/// whose WHERE holds the legal sources of <see cref="CallStatusMachine"/> (PostgreSQL's row lock decides concurrent
/// requests and replicas), committed with its event in the outbox, then published.
/// </summary>
public sealed class CallStatusMoves(
    NeoliaDb db,
    CallEventPublisher events,
    CallRecipients recipients,
    RoomServiceClient liveKitRooms,
    Media.CallMediaService media,
    TimeProvider time)
{
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
    public async Task<string?> MoveAndAnnounceAsync(Guid callId, string to, Action<UpdateSettersBuilder<Call>> alsoSet,
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
    public async Task AnnounceAsync(Guid callId, string eventType, Guid? onlyUser, CancellationToken ct)
    {
        var staged = await StageAsync(callId, eventType, onlyUser, ct);
        await db.SaveChangesAsync(CancellationToken.None);
        await PublishAsync(staged);
    }

    /// <summary>Adds the event of <paramref name="eventType"/> about the call as it is now to the outbox of this unit of work.</summary>
    public async Task<Announcement> StageAsync(Guid callId, string eventType, Guid? onlyUser, CancellationToken ct)
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

    /// <summary>An event staged in the outbox, and the room of its call.</summary>
    public sealed record Announcement(StagedCallEvent Staged, string Room);

    public async Task<string> PublishAsync(Announcement announcement)
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
