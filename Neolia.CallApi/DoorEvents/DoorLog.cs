using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.DoorEvents;

/// <summary>What a feature writes into a door's log (<see cref="DoorLog"/>).</summary>
public sealed record DoorEventEntry(Guid TenantId, Guid SiteId, Guid DeviceId, string Kind, DateTimeOffset OccurredAt)
{
    public string? Method { get; init; }
    public Guid? UserId { get; init; }
    public Guid? ApartmentId { get; init; }
    public string? Result { get; init; }
    public Guid? CallId { get; init; }
    /// <summary>Extra facts as flat text (never a secret), stored as a JSON object.</summary>
    public IReadOnlyDictionary<string, string>? Details { get; init; }
}

/// <summary>
/// The one way any feature writes into the door log: a row of its own (<see cref="RecordAsync"/>, on a context of
/// its own, so it never joins or breaks the caller's transaction), or staged in the caller's context to be saved
/// with the change it belongs to (<see cref="Stage"/>: a call and its log line, in one batch).
/// </summary>
public sealed class DoorLog(IDbContextFactory<NeoliaDb> contexts, TimeProvider time, ILogger<DoorLog> logger)
{
    public async Task<Guid> RecordAsync(DoorEventEntry entry, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var row = Stage(db, entry);
        await db.SaveChangesAsync(ct);
        return row.Id;
    }

    /// <summary>
    /// A line for a device known by id only (its tenant and site are looked up): e.g. the device monitor's
    /// <c>device_offline</c> / <c>device_online</c>. Null when the device does not exist (deleted meanwhile).
    /// </summary>
    public async Task<Guid?> RecordForDeviceAsync(Guid deviceId, string kind, string? result, IReadOnlyDictionary<string, string>? details, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var device = await db.Devices.Where(d => d.Id == deviceId).Select(d => new { d.TenantId, d.SiteId }).SingleOrDefaultAsync(ct);
        if (device is null) return null;
        var row = Stage(db, new DoorEventEntry(device.TenantId, device.SiteId, deviceId, kind, time.GetUtcNow()) { Result = result, Details = details });
        await db.SaveChangesAsync(ct);
        return row.Id;
    }

    /// <summary>Adds the line to <paramref name="db"/>; it is saved with the caller's next SaveChanges.</summary>
    public static DoorEvent Stage(NeoliaDb db, DoorEventEntry entry)
    {
        var row = new DoorEvent
        {
            TenantId = entry.TenantId, SiteId = entry.SiteId, DeviceId = entry.DeviceId, Kind = entry.Kind, OccurredAt = entry.OccurredAt,
            Method = entry.Method, UserId = entry.UserId, ApartmentId = entry.ApartmentId, Result = entry.Result, CallId = entry.CallId,
            Details = entry.Details is { Count: > 0 } details ? JsonSerializer.Serialize(details, DoorLogJson.Default.IReadOnlyDictionaryStringString) : null,
        };
        db.Set<DoorEvent>().Add(row);
        return row;
    }

    /// <summary>Sets the result of an opening still pending (or claimed by a site box); false when it had one already.</summary>
    public async Task<bool> CompleteAsync(Guid eventId, string result, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var done = await db.Set<DoorEvent>().Where(e => e.Id == eventId && e.Result == DoorEventResults.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Result, result), ct) == 1;
        if (done) logger.LogInformation("Door event {EventId}: {Result}", eventId, result);
        return done;
    }

    /// <summary>Attaches a picture to a line that has none (an opening's, taken a moment after it).</summary>
    public async Task<bool> AttachSnapshotAsync(Guid eventId, byte[] jpeg, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        return await db.Set<DoorEvent>().Where(e => e.Id == eventId && e.Snapshot == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Snapshot, jpeg), ct) == 1;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class DoorLogJson : System.Text.Json.Serialization.JsonSerializerContext;
