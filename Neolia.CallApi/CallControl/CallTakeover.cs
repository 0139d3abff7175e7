using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.Contracts;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// Takes over the live calls of a replica whose control lease ran out (killed, hung, cut off), so that a door keeps
/// ringing and its answer still connects: every serving replica looks every third of
/// <see cref="CallControlOptions.ControlLeaseTimeout"/>, and the one whose conditional update moves a call's ownership
/// to itself takes it over (<see cref="CallRecovery.TakeOverFromAsync"/>). A replica takes over only while its own lease
/// is fresh on the call's Asterisk and it could take a new call. Calls with no owner recorded (set up before ownership was recorded) are
/// left to their replica's own recovery.
/// </summary>
internal sealed class CallTakeover(IDbContextFactory<NeoliaDb> databases, ControlLeases leases, DoorCallClaims claims, CallRecovery recovery,
    IOptions<CallControlOptions> options, TimeProvider time, ILogger<CallTakeover> logger) : BackgroundService
{
    private const int BatchSize = 20;

    /// <summary>A lease not renewed for this long belongs to a replica that is gone for good (its calls were taken long ago): it is deleted.</summary>
    internal static readonly TimeSpan ForgottenLease = TimeSpan.FromHours(1);
    private static readonly TimeSpan ForgottenLeaseSweep = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ControlLeaseTimeout / 3;
        var failures = 0;
        var lastSweep = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await Task.Delay(interval, time, stoppingToken); }
            catch (OperationCanceledException) { return; }
            if (leases.FreshOn.Count == 0 || claims.WhyNot() is not null) continue;
            try
            {
                await TakeOverOrphansAsync(stoppingToken);
                if (time.GetUtcNow() - lastSweep > ForgottenLeaseSweep)
                {
                    lastSweep = time.GetUtcNow();
                    await DeleteForgottenLeasesAsync(stoppingToken);
                }
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                if (failures++ % 40 == 0) logger.LogWarning("Could not look for calls to take over ({Error})", e.Message);
            }
        }
    }

    private async Task TakeOverOrphansAsync(CancellationToken ct)
    {
        var me = leases.Application;
        var expired = options.Value.ControlLeaseTimeout;
        // Only calls on an Asterisk this replica is connected to (its lease there fresh): it could not act on the others.
        var on = leases.FreshOn.ToArray();
        List<Orphan> taken = [];
        await using (var db = await databases.CreateDbContextAsync(ct))
        {
            var orphans = await db.Database.SqlQuery<Orphan>($"""
                SELECT o."CallId", o."Application" AS "Owner", o."Asterisk"
                FROM "DoorCallOwners" o
                JOIN "Calls" c ON c."Id" = o."CallId"
                LEFT JOIN "CallControlLeases" l ON l."Application" = o."Application" AND l."Asterisk" = o."Asterisk"
                WHERE c."Status" IN ({CallStatuses.Ringing}, {CallStatuses.Answered}) AND o."Application" <> {me} AND o."Asterisk" = ANY({on})
                  AND (l."Application" IS NULL OR l."RenewedAt" < now() - {expired})
                LIMIT {BatchSize}
                """).ToListAsync(ct);
            foreach (var orphan in orphans)
            {
                // The first replica to move the ownership takes the call; the others see it moved and leave it.
                var moved = await db.Database.ExecuteSqlAsync($"""
                    UPDATE "DoorCallOwners" SET "Application" = {me}, "Since" = now() WHERE "CallId" = {orphan.CallId} AND "Application" = {orphan.Owner}
                    """, ct);
                if (moved == 1) taken.Add(orphan);
            }
        }
        foreach (var orphan in taken)
        {
            try { await recovery.TakeOverFromAsync(orphan.CallId, orphan.Owner, orphan.Asterisk, ct); }
            catch (Exception e) when (AsteriskServer.IsAriFailure(e))
            {
                logger.LogWarning("Could not take over call {CallId} from {Owner}: {Error}", orphan.CallId, orphan.Owner, e.Message);
            }
        }
    }

    /// <summary>Replicas that died and never came back (a pod replaced under a new name) would leave their rows for ever.</summary>
    private async Task DeleteForgottenLeasesAsync(CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        var cutoff = ForgottenLease;
        var deleted = await db.Database.ExecuteSqlAsync($"""DELETE FROM "CallControlLeases" WHERE "RenewedAt" < now() - {cutoff}""", ct);
        if (deleted > 0) logger.LogInformation("Deleted {Count} control lease(s) not renewed for {Age}: their replicas are gone", deleted, cutoff);
    }

    private sealed class Orphan
    {
        public Guid CallId { get; init; }
        public string Owner { get; init; } = "";
        public string Asterisk { get; init; } = "";
    }
}
