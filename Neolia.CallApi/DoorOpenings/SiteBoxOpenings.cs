using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.DoorEvents;
using Neolia.Contracts;

namespace Neolia.CallApi.DoorOpenings;

/// <summary>
/// Openings carried out by a site's relay box: the door log's pending line is the work item. The box claims it
/// (handed out once), triggers the door's relay through the door's HTTP API and reports; the app's request waits for
/// that report, reading PostgreSQL, so the box and the app may reach different replicas.
/// </summary>
public sealed class SiteBoxOpenings(IDbContextFactory<NeoliaDb> contexts, DoorLog log, DeviceSecrets secrets, TimeProvider time)
{
    private static readonly TimeSpan ResultPoll = TimeSpan.FromMilliseconds(150);

    /// <summary>An opening nobody claimed this long after it was asked is not handed out any more (the app was told door_unreachable).</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);

    public async Task<string> WaitForResultAsync(Guid eventId, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var result = await ResultOfAsync(eventId, ct);
            if (result != DoorEventResults.Pending) return result ?? DoorEventResults.Failed;
            if (time.GetUtcNow() >= deadline) break;
            await Task.Delay(ResultPoll, ct);
        }
        // No box, or no answer in time: the opening is over for the app, and a late report changes nothing.
        return await log.CompleteAsync(eventId, DoorEventResults.DoorUnreachable, ct) ? DoorEventResults.DoorUnreachable : await ResultOfAsync(eventId, ct) ?? DoorEventResults.Failed;
    }

    private async Task<string?> ResultOfAsync(Guid eventId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        return await db.Set<DoorEvent>().Where(e => e.Id == eventId).Select(e => e.Result).SingleOrDefaultAsync(ct);
    }

    /// <summary>The site's pending openings, each claimed for this box (a second poll does not get it again).</summary>
    public async Task<IReadOnlyList<SiteOpening>> ClaimAsync(Guid siteId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        var since = now - Freshness;
        var pending = await db.Set<DoorEvent>()
            .Where(e => e.SiteId == siteId && e.Result == DoorEventResults.Pending && e.Method == DoorEventMethods.SiteBox && e.ClaimedAt == null && e.OccurredAt > since)
            .Join(db.Devices, e => e.DeviceId, d => d.Id, (e, d) => new
            {
                EventId = e.Id, DeviceId = d.Id, d.DoorHttpUrlProtected, d.DoorHttpUsernameProtected, d.DoorHttpPasswordProtected, d.DoorHttpRelay,
            })
            .ToListAsync(ct);
        var claimed = new List<SiteOpening>();
        foreach (var p in pending)
        {
            if (await db.Set<DoorEvent>().Where(e => e.Id == p.EventId && e.ClaimedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.ClaimedAt, now), ct) != 1) continue;
            if (secrets.Unprotect(p.DoorHttpUrlProtected) is not { } url)
            {
                // The door has no HTTP API configured: nothing a box can do.
                await log.CompleteAsync(p.EventId, DoorEventResults.Failed, ct);
                continue;
            }
            claimed.Add(new SiteOpening(p.EventId, p.DeviceId, url, secrets.Unprotect(p.DoorHttpUsernameProtected), secrets.Unprotect(p.DoorHttpPasswordProtected), p.DoorHttpRelay));
        }
        return claimed;
    }

    /// <summary>The box's report of an opening it claimed; false when it is not this site's or already has its result.</summary>
    public async Task<bool> ReportAsync(Guid siteId, Guid eventId, string result, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        return await db.Set<DoorEvent>().Where(e => e.Id == eventId && e.SiteId == siteId && e.ClaimedAt != null && e.Result == DoorEventResults.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Result, result), ct) == 1;
    }
}
