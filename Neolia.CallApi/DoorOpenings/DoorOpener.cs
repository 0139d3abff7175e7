using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.DoorEvents;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.DoorOpenings;

/// <summary>Reaches a door over SIP: Asterisk calls it, it auto-answers, the code goes as RFC 4733 DTMF (call control implements it).</summary>
public interface ISipDoorOpener
{
    /// <returns>One of <see cref="DoorEventResults"/>: opened, door_unreachable or failed.</returns>
    Task<string> OpenAsync(Guid eventId, string doorEndpoint, string doorCode, CancellationToken ct);
}

/// <summary>What became of an opening asked from the app: its result and its line in the door log.</summary>
public sealed record DoorOpenOutcome(string Result, Guid EventId, TimeSpan? RetryAfter = null);

/// <summary>
/// Opens a door outside a call, for a resident of the door's site or the tenant's administrators: checks who asks,
/// the door's switch (<see cref="Device.AppOpening"/>) and the limits, writes the attempt into the door log before
/// anything reaches the door (nothing is lost, even when the process dies), then reaches the door the way it is set
/// up for and writes the result.
/// </summary>
public sealed class DoorOpener(NeoliaDb db, DoorLog log, ISipDoorOpener sip, SiteBoxOpenings siteBox, DeviceSecrets secrets,
    IOptions<DoorOpeningOptions> options, TimeProvider time, ILogger<DoorOpener> logger)
{
    private static readonly string[] AppKinds = [DoorEventKinds.OpenedFromApp, DoorEventKinds.OpenedByAdmin];

    /// <returns>Null when the caller may not see the door (another tenant's, another site's, not a door): a 404.</returns>
    public async Task<DoorOpenOutcome?> OpenAsync(Guid doorId, ClaimsPrincipal caller, CancellationToken ct)
    {
        var door = await db.Devices.Where(d => d.Id == doorId && d.Kind == DeviceKind.DoorIntercom)
            .Select(d => new { d.Id, d.TenantId, d.SiteId, d.SipUsername, d.AppOpening, d.IsActive, d.DoorCodeProtected })
            .SingleOrDefaultAsync(ct);
        if (door is null) return null;
        var userId = caller.GetUserId();
        var isAdmin = caller.IsInRole(NeoliaRoles.TenantAdmin) || caller.IsInRole(NeoliaRoles.PlatformAdmin);
        Guid? apartmentId = null;
        string? verdict = null;
        if (!isAdmin)
        {
            // A resident removed from the apartment is no longer a member: the door is not theirs to see.
            var membership = await db.ApartmentMemberships.Where(m => m.UserId == userId && m.Apartment!.SiteId == door.SiteId)
                .OrderBy(m => m.ApartmentId).Select(m => new { m.ApartmentId, m.User!.IsActive }).FirstOrDefaultAsync(ct);
            if (membership is null) return null;
            apartmentId = membership.ApartmentId;
            // A deactivated resident's tokens are revoked at once; this covers one issued in the same instant.
            if (!membership.IsActive) verdict = DoorEventResults.NotAllowed;
        }
        if (verdict is null && (!door.IsActive || door.AppOpening == AppOpeningModes.Off)) verdict = DoorEventResults.Disabled;

        var now = time.GetUtcNow();
        var o = options.Value;
        var entry = new DoorEventEntry(door.TenantId, door.SiteId, door.Id, isAdmin ? DoorEventKinds.OpenedByAdmin : DoorEventKinds.OpenedFromApp, now)
        {
            Method = door.AppOpening switch { AppOpeningModes.Sip => DoorEventMethods.DtmfSip, AppOpeningModes.SiteBox => DoorEventMethods.SiteBox, _ => null },
            UserId = userId, ApartmentId = apartmentId,
        };
        TimeSpan? retryAfter = null;
        DoorEvent? row = null;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // One door's attempts are counted one at a time, on every replica alike (the log is the counter).
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"door-open:" + door.Id}, 0))", ct);
            // Refused attempts count too: they cost a log line each, and a client that insists is slowed all the same.
            retryAfter = null;
            var since = now - o.LimitWindow;
            var attempts = db.Set<DoorEvent>().Where(e => AppKinds.Contains(e.Kind) && e.OccurredAt > since && e.Result != DoorEventResults.RateLimited);
            var byUser = await attempts.Where(e => e.UserId == userId).OrderBy(e => e.OccurredAt).Select(e => e.OccurredAt).ToListAsync(ct);
            var byDoor = await attempts.Where(e => e.DeviceId == door.Id).OrderBy(e => e.OccurredAt).Select(e => e.OccurredAt).ToListAsync(ct);
            if (byUser.Count >= o.PerUserLimit) retryAfter = byUser[^o.PerUserLimit] + o.LimitWindow - now;
            if (byDoor.Count >= o.PerDoorLimit) retryAfter = Max(retryAfter, byDoor[^o.PerDoorLimit] + o.LimitWindow - now);
            var result = retryAfter is null ? verdict ?? DoorEventResults.Pending : DoorEventResults.RateLimited;
            row = DoorLog.Stage(db, entry with { Result = result });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });
        if (row!.Result != DoorEventResults.Pending)
        {
            logger.LogInformation("Opening of door {DoorId} by {UserId} refused: {Result}", door.Id, userId, row.Result);
            return new DoorOpenOutcome(row.Result!, row.Id, retryAfter);
        }

        // From here the request's cancellation no longer stops the opening: the door may already be opening.
        string outcome;
        if (door.AppOpening == AppOpeningModes.SiteBox)
        {
            outcome = await siteBox.WaitForResultAsync(row.Id, o.SiteBoxTimeout, CancellationToken.None);
        }
        else
        {
            outcome = secrets.DoorCodeOrNull(door.DoorCodeProtected, logger, $"door {door.Id}") is { } code
                ? await sip.OpenAsync(row.Id, door.SipUsername, code, CancellationToken.None)
                : DoorEventResults.Failed;
            await log.CompleteAsync(row.Id, outcome, CancellationToken.None);
        }
        logger.LogInformation("Door {DoorId} opening {EventId} by {UserId} ({Method}): {Result}", door.Id, row.Id, userId, entry.Method, outcome);
        return new DoorOpenOutcome(outcome, row.Id);
    }

    private static TimeSpan Max(TimeSpan? a, TimeSpan b) => a is { } x && x > b ? x : b;
}
