using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.Media;

/// <summary>Removes snapshots older than <see cref="MediaOptions.SnapshotRetentionDays"/> (the calls stay in the history).</summary>
public sealed class SnapshotRetentionSweeper(IDbContextFactory<NeoliaDb> contexts, IOptions<MediaOptions> options, TimeProvider time,
    ILogger<SnapshotRetentionSweeper> logger) : RetentionSweeper(contexts, time, logger)
{
    protected override string What => "snapshot(s)";

    protected override Task<int> SweepAsync(NeoliaDb db, DateTimeOffset now, CancellationToken ct)
    {
        var before = now - TimeSpan.FromDays(options.Value.SnapshotRetentionDays);
        return db.Set<CallMedia>().Where(m => m.Snapshot != null && m.SnapshotTakenAt < before)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Snapshot, (byte[]?)null), ct);
    }
}
