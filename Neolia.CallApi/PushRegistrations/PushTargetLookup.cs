using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.Contracts;

namespace Neolia.CallApi.PushRegistrations;

/// <summary>The one query that attaches recipients' push tokens to call events (used by the call-event publisher).</summary>
public sealed class PushTargetLookup(IDbContextFactory<NeoliaDb> dbs)
{
    public async Task<IReadOnlyList<CallRecipient>> AttachAsync(Guid tenantId, IReadOnlyList<CallRecipient> recipients, CancellationToken ct)
    {
        if (recipients.Count == 0) return recipients;
        var userIds = recipients.Select(r => r.UserId).Distinct().ToList();
        await using var db = await dbs.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.Of(tenantId);
        var targets = (await db.Set<PushRegistration>().AsNoTracking()
                .Where(r => userIds.Contains(r.UserId))
                .Select(r => new { r.UserId, r.Id, r.Platform, r.Token })
                .ToListAsync(ct))
            .ToLookup(r => r.UserId, r => new PushTarget(r.Id, r.Platform, r.Token));
        return recipients.Select(r => r with { PushTargets = targets[r.UserId].ToList() }).ToList();
    }
}
