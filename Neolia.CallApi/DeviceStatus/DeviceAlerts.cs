using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>
/// Turns recorded state changes into alerts, without a storm: an "offline" alert only after the device stayed offline
/// for <see cref="DeviceStatusOptions.OfflineGrace"/>, and at most one per <see cref="DeviceStatusOptions.QuietPeriod"/>;
/// its recovery at once (only if its loss was reported: a newly installed door coming online is no news). A door that flaps during the quiet period is reported when the period ends, if it is still
/// offline then, with the number of changes it made. The alert and its webhook delivery are written in one
/// transaction with the claim that raises it, so two replicas never raise the same alert.
/// </summary>
public sealed class DeviceAlerts(IDbContextFactory<NeoliaDb> databases, IOptions<DeviceStatusOptions> options, TimeProvider time,
    AlertWebhookSender webhooks, ILogger<DeviceAlerts> logger)
{
    public async Task RaiseDueAsync(CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var o = options.Value;
        var now = time.GetUtcNow();
        var offlineLongEnough = now - o.OfflineGrace;
        var quietUntil = now - o.QuietPeriod;
        var due = await db.Set<DevicePresence>().AsNoTracking()
            .Where(p => p.State != p.AlertedState)
            .Where(p => p.State == PresenceStates.Online
                || (p.Since <= offlineLongEnough && (p.LastOfflineAlertAt == null || p.LastOfflineAlertAt <= quietUntil)))
            .Join(db.Devices, p => p.DeviceId, d => d.Id, (p, d) => new { Presence = p, d.SiteId, d.Name })
            .ToListAsync(ct);
        var raised = false;
        foreach (var item in due)
        {
            var p = item.Presence;
            var offline = p.State == PresenceStates.Offline;
            var silent = !offline && p.LastOfflineAlertAt is null;
            var alert = new DeviceAlert
            {
                TenantId = p.TenantId, DeviceId = p.DeviceId, SiteId = item.SiteId, RaisedAt = now, Since = p.Since,
                Kind = offline ? DeviceAlertKinds.Offline : DeviceAlertKinds.Online, Changes = Math.Max(1, p.ChangesSinceAlert),
            };
            var strategy = db.Database.CreateExecutionStrategy();
            var claimed = await strategy.ExecuteAsync(async () =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                // Claimed only if nothing changed since it was read: another replica raising it, or a new change.
                var claim = await db.Set<DevicePresence>()
                    .Where(x => x.DeviceId == p.DeviceId && x.State == p.State && x.Since == p.Since && x.AlertedState == p.AlertedState)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.AlertedState, p.State).SetProperty(x => x.ChangesSinceAlert, 0)
                        .SetProperty(x => x.LastOfflineAlertAt, x => offline ? now : x.LastOfflineAlertAt), ct);
                if (claim != 1) return false;
                // A device that was never reported offline (first installed, or back within the grace) comes online silently.
                if (silent)
                {
                    await transaction.CommitAsync(ct);
                    return false;
                }
                db.Add(alert);
                if (await db.Set<AlertWebhook>().AnyAsync(w => w.TenantId == p.TenantId && w.IsEnabled, ct))
                {
                    db.Add(new AlertDelivery { TenantId = p.TenantId, AlertId = alert.Id, State = DeliveryStates.Pending, NextAttemptAt = now });
                }
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return true;
            });
            if (!claimed) continue;
            raised = true;
            logger.LogInformation("Alert {Kind} raised for device {DeviceId} ({Name}), {State} since {Since:u}, {Changes} change(s)",
                alert.Kind, p.DeviceId, item.Name, p.State, p.Since, alert.Changes);
        }
        if (raised) webhooks.Wake();
    }
}
