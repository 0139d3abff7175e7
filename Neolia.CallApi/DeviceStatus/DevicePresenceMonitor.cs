using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.CallApi.DoorEvents;
using Neolia.CallApi.SipAccounts;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>
/// Every <see cref="DeviceStatusOptions.CheckInterval"/> (and at once when Asterisk reports a qualify change), every
/// replica compares each active device's registration — the contacts Asterisk writes to <c>ps_contacts</c>, which
/// survive any replica — and its qualify state with what was last recorded, records the changes and raises the
/// alerts that are due (<see cref="DeviceAlerts"/>). Every step is a conditional update, so when replicas race, one
/// records a change and one raises an alert.
/// </summary>
public sealed class DevicePresenceMonitor(IDbContextFactory<NeoliaDb> databases, DeviceAlerts alerts, QualifyReports qualify,
    IOptions<DeviceStatusOptions> options, TimeProvider time, ILogger<DevicePresenceMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await qualify.ApplyAsync(stoppingToken);
                await CheckAsync(stoppingToken);
                await alerts.RaiseDueAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (failures++ % 12 == 0) logger.LogWarning("Could not check the devices' status ({Error}); retrying every {Interval}", e.Message, options.Value.CheckInterval);
            }
            if (!await qualify.WaitAsync(options.Value.CheckInterval, stoppingToken)) return;
        }
    }

    /// <summary>One pass: new devices get their first state (no alert), changed ones their new state.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        var nowSeconds = now.ToUnixTimeSeconds();
        // Only what differs from the record comes back: a quiet platform reads no rows, whatever its size.
        var changed = await (
                from d in db.Devices.AsNoTracking()
                where d.IsActive
                join p in db.Set<DevicePresence>() on d.Id equals p.DeviceId into recorded
                from p in recorded.DefaultIfEmpty()
                let registered = db.Set<PsContact>().Any(c => c.Endpoint == d.SipUsername && c.ExpirationTime > nowSeconds)
                let state = registered && (p == null || p.UnreachableSince == null) ? PresenceStates.Online : PresenceStates.Offline
                where p == null || p.State != state
                select new { d.Id, d.TenantId, d.SiteId, d.Name, Registered = registered, State = state, Recorded = p == null ? null : p.State })
            .ToListAsync(ct);

        // The first look at a device is its starting point, not a change: nothing to alert about. All new devices in one
        // statement, so a first start with thousands of them is one round trip.
        var first = changed.Where(d => d.Recorded is null).ToList();
        if (first.Count > 0)
        {
            var ids = first.Select(d => d.Id).ToArray();
            var tenants = first.Select(d => d.TenantId).ToArray();
            var states = first.Select(d => d.State).ToArray();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "DevicePresence" ("DeviceId", "TenantId", "State", "Since", "AlertedState", "ChangesSinceAlert")
                SELECT n.id, n.tenant, n.state, {now}, n.state, 0 FROM unnest({ids}, {tenants}, {states}) AS n(id, tenant, state)
                ON CONFLICT DO NOTHING
                """, ct);
        }

        foreach (var device in changed)
        {
            var state = device.State;
            if (device.Recorded is null) continue;
            var reason = state == PresenceStates.Online ? PresenceReasons.Registered
                : device.Registered ? PresenceReasons.QualifyUnreachable : PresenceReasons.NoRegistration;
            // The change and its line in the door log together: one replica records both, or neither.
            var moved = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var rows = await db.Set<DevicePresence>()
                    .Where(p => p.DeviceId == device.Id && p.State == device.Recorded)
                    .ExecuteUpdateAsync(s => s.SetProperty(p => p.State, state).SetProperty(p => p.Since, now)
                        .SetProperty(p => p.ChangesSinceAlert, p => p.ChangesSinceAlert + 1), ct);
                if (rows != 1) return false;
                DoorLog.Stage(db, new DoorEventEntry(device.TenantId, device.SiteId, device.Id,
                    state == PresenceStates.Online ? DoorEventKinds.DeviceOnline : DoorEventKinds.DeviceOffline, now) { Result = reason });
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return true;
            });
            if (moved) logger.LogInformation("Device {DeviceId} ({Name}) is {State} ({Reason})", device.Id, device.Name, state, reason);
        }
    }
}
