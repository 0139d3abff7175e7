using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;
using Npgsql;

namespace Neolia.CallApi.Calls;

/// <summary>The calls that rang out with nobody to close them, closed as <c>missed</c> in batches (run by <see cref="RingTimeoutSweeper"/>).</summary>
public sealed class RungOutCalls(
    NeoliaDb db,
    CallEventPublisher events,
    CallRecipients recipients,
    RoomServiceClient liveKitRooms,
    IDoorCallControl doorControl,
    Media.CallMediaService media,
    TimeProvider time,
    ILogger<RungOutCalls> logger)
{
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
}
