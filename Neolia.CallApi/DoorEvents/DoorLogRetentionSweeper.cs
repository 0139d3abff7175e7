using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.DoorEvents;

/// <summary>Deletes door events older than <see cref="DoorLogOptions.RetentionDays"/>, their pictures with them.</summary>
public sealed class DoorLogRetentionSweeper(IDbContextFactory<NeoliaDb> contexts, IOptions<DoorLogOptions> options, TimeProvider time,
    ILogger<DoorLogRetentionSweeper> logger) : RetentionSweeper(contexts, time, logger)
{
    protected override string What => "door event(s)";

    protected override Task<int> SweepAsync(NeoliaDb db, DateTimeOffset now, CancellationToken ct)
    {
        var before = now - TimeSpan.FromDays(options.Value.RetentionDays);
        return db.Set<DoorEvent>().Where(e => e.OccurredAt < before).ExecuteDeleteAsync(ct);
    }
}
