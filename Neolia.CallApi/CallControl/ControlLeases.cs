using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.CallControl;

/// <summary>A replica's proof of life for call control on one Asterisk: renewed while its ARI event stream to that Asterisk is connected.</summary>
public sealed class CallControlLease
{
    /// <summary>The replica's Stasis application (<see cref="CallControlOptions.Application"/>).</summary>
    public required string Application { get; set; }
    /// <summary>The Asterisk (<see cref="AsteriskServerOptions.Name"/>).</summary>
    public required string Asterisk { get; set; }
    public DateTimeOffset RenewedAt { get; set; }
}

/// <summary>Which replica controls a door call, and on which Asterisk the call is: the replica that set it up, or the one that took it over.</summary>
public sealed class DoorCallOwner
{
    public Guid CallId { get; set; }
    public required string Application { get; set; }
    /// <summary>The Asterisk the door called into (empty for a call recorded before Asterisks had names: the only one).</summary>
    public string Asterisk { get; set; } = "";
    public DateTimeOffset Since { get; set; }
}

internal sealed class ControlLeaseConfiguration : IEntityTypeConfiguration<CallControlLease>, IEntityTypeConfiguration<DoorCallOwner>
{
    public void Configure(EntityTypeBuilder<CallControlLease> e)
    {
        e.ToTable("CallControlLeases");
        e.HasKey(l => new { l.Application, l.Asterisk });
        e.Property(l => l.Application).HasMaxLength(100);
        e.Property(l => l.Asterisk).HasMaxLength(40);
    }

    public void Configure(EntityTypeBuilder<DoorCallOwner> e)
    {
        e.ToTable("DoorCallOwners");
        e.HasKey(o => o.CallId);
        e.Property(o => o.Application).HasMaxLength(100);
        e.Property(o => o.Asterisk).HasMaxLength(40).HasDefaultValue("");
        e.HasIndex(o => o.Application);
        e.HasOne<Call>().WithOne().HasForeignKey<DoorCallOwner>(o => o.CallId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// This replica's control leases (one per Asterisk) and its calls' ownership, in PostgreSQL so that every replica sees
/// them. A lease is renewed every quarter of <see cref="CallControlOptions.ControlLeaseTimeout"/> while the event
/// stream to its Asterisk is connected; <see cref="CallTakeover"/> on the other replicas takes the calls (on that
/// Asterisk) of a replica whose lease ran out. A replica that was away (hung, its stream or database lost) may have
/// lost calls meanwhile: before its next step on a call it asks whether the call is still its own
/// (<see cref="StillControlsAsync"/>), and forgets the call if not, so a resumed replica never acts on a call another
/// one controls.
/// </summary>
internal sealed class ControlLeases(IDbContextFactory<NeoliaDb> databases, IOptions<CallControlOptions> options, AsteriskServers asterisks,
    DoorCallRegistry registry, TimeProvider time, ILogger<ControlLeases> logger) : BackgroundService
{
    /// <summary>Stopwatch timestamp of each Asterisk's last renewal that PostgreSQL confirmed; absent: never.</summary>
    private readonly ConcurrentDictionary<string, long> _renewedAt = new(StringComparer.OrdinalIgnoreCase);

    public string Application => options.Value.Application;

    /// <summary>Renewed lately enough on <paramref name="asterisk"/> that no other replica can have taken a call of this one there.</summary>
    public bool IsFresh(string asterisk) =>
        _renewedAt.TryGetValue(asterisk, out var at) && Stopwatch.GetElapsedTime(at) < options.Value.ControlLeaseTimeout / 2;

    /// <summary>The Asterisks on which this replica's lease is fresh: where it may take calls over.</summary>
    public IReadOnlyList<string> FreshOn => asterisks.All.Select(a => a.Name).Where(IsFresh).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.ControlLeaseTimeout / 4;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A replica without an event stream to an Asterisk holds no lease there (its calls there are taken over).
                if (asterisks.All.Where(a => a.Connected).Select(a => a.Name).ToList() is { Count: > 0 } connected) await RenewAsync(connected, stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                if (failures++ % 40 == 0) logger.LogWarning("Could not renew the call control lease ({Error}); the other replicas take this one's calls if it stays so", e.Message);
            }
            try { await Task.Delay(interval, time, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
        await ReleaseAsync();
    }

    private async Task RenewAsync(List<string> connected, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var away = connected.Where(a => !IsFresh(a)).ToList();
        await using var db = await databases.CreateDbContextAsync(ct);
        var names = connected.ToArray();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "CallControlLeases" ("Application", "Asterisk", "RenewedAt") SELECT {Application}, a, now() FROM unnest({names}) AS a
            ON CONFLICT ("Application", "Asterisk") DO UPDATE SET "RenewedAt" = now()
            """, ct);
        // Back from an absence (hung, cut off): the calls another replica took meanwhile are forgotten before the
        // lease counts as fresh again, so no step of them runs unchecked.
        if (away.Count > 0) await ForgetLostCallsAsync(db, away, ct);
        foreach (var asterisk in connected) _renewedAt[asterisk] = started; // counted from before the write: never fresher than PostgreSQL's clock says
    }

    private async Task ForgetLostCallsAsync(NeoliaDb db, List<string> away, CancellationToken ct)
    {
        var mine = registry.Live.Where(c => c.Start is not null && away.Contains(c.Asterisk.Name, StringComparer.OrdinalIgnoreCase)).ToDictionary(c => c.CallId);
        if (mine.Count == 0) return;
        var ids = mine.Keys.ToList();
        var owners = await db.Set<DoorCallOwner>().AsNoTracking().Where(o => ids.Contains(o.CallId)).ToListAsync(ct);
        foreach (var owner in owners.Where(o => o.Application != Application)) Forget(mine[owner.CallId], owner.Application);
    }

    private void Forget(DoorCall call, string owner)
    {
        logger.LogWarning("Call {CallId} was taken over by {Owner} while this replica was away: forgotten here", call.CallId, owner);
        call.Finished = true;
        call.Timer?.Dispose();
        call.Work.Complete();
        registry.Remove(call);
    }

    /// <summary>Stopping: the leases go at once, so the other replicas take the calls without waiting them out.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await using var db = await databases.CreateDbContextAsync(timeout.Token);
            await db.Set<CallControlLease>().Where(l => l.Application == Application).ExecuteDeleteAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug("Could not release the call control lease: {Error}", e.Message);
        }
    }

    /// <summary>This replica controls the call, on <paramref name="asterisk"/> (set up or taken over here).</summary>
    public async Task RecordOwnerAsync(Guid callId, string asterisk, CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "DoorCallOwners" ("CallId", "Application", "Asterisk", "Since") VALUES ({callId}, {Application}, {asterisk}, now())
            ON CONFLICT ("CallId") DO UPDATE SET "Application" = excluded."Application", "Asterisk" = excluded."Asterisk", "Since" = now()
            """, ct);
    }

    /// <summary>Who controls each of the calls, and on which Asterisk (calls with no owner recorded are absent).</summary>
    public async Task<Dictionary<Guid, DoorCallOwner>> OwnersAsync(IReadOnlyCollection<Guid> callIds, CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        return await db.Set<DoorCallOwner>().AsNoTracking().Where(o => callIds.Contains(o.CallId)).ToDictionaryAsync(o => o.CallId, ct);
    }

    /// <summary>
    /// Before a step on <paramref name="call"/>: true while the lease on its Asterisk is fresh; otherwise asks
    /// PostgreSQL, and forgets the call (false) when another replica controls it now. When PostgreSQL cannot answer, no
    /// replica can have taken the call over either: the step goes ahead.
    /// </summary>
    public async ValueTask<bool> StillControlsAsync(DoorCall call)
    {
        if (IsFresh(call.Asterisk.Name) || call.Start is null) return true;
        string? owner;
        try
        {
            // Short: a step of a live call waits for it (a database that hangs delays each step by this much at most).
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await using var db = await databases.CreateDbContextAsync(timeout.Token);
            owner = await db.Set<DoorCallOwner>().Where(o => o.CallId == call.CallId).Select(o => o.Application).SingleOrDefaultAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return true;
        }
        if (owner is null || owner == Application) return true;
        Forget(call, owner);
        return false;
    }
}
