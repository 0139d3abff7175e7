using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.LiveKit;
using Neolia.CallApi.Media;
using Neolia.CallApi.PushRegistrations;
using Neolia.Contracts;

namespace Neolia.CallApi.Calls;

/// <summary>A live call as stored: how it started, and where it is now.</summary>
public sealed record DoorCallSnapshot(DoorCallStart Start, string AsteriskCallId, string Status, DateTimeOffset StartedAt, DateTimeOffset? AnsweredAt);

/// <summary>Starts a door call: finds who lives behind the dialled number, records the call and rings them.</summary>
public sealed partial class DoorCallService(
    NeoliaDb db,
    CallEventPublisher events,
    LiveKitTokens liveKitTokens,
    RoomServiceClient liveKitRooms,
    IOptions<CallOptions> callOptions,
    TimeProvider time,
    ILogger<DoorCallService> logger)
{
    public async Task<DoorCallStart> StartAsync(DoorRing ring, CancellationToken ct)
    {
        // A door has no signed-in caller: the tenant is resolved from the door itself.
        db.TenantScope = TenantScope.All;

        // A repeated StasisStart (the call taken again after a reconnect) is recognised by the unique call id when the
        // call is inserted below: no look-up first, so the common case costs three round trips (door, apartment with its residents, insert).
        // Both queries are compiled once (no LINQ translation per ring) and prepared on each connection (no parsing
        // and planning per ring in PostgreSQL: DataExtensions turns on Npgsql's automatic preparation).
        var door = await DoorOf(db, ring.Caller, ct);
        if (door is null) return Reject(RejectReasons.UnknownDevice, ring, "no active device has this SIP username");
        if (ring.TenantSlug is { } slug && !string.Equals(slug, door.TenantSlug, StringComparison.OrdinalIgnoreCase))
        {
            return Reject(RejectReasons.UnknownTenant, ring, $"the device belongs to tenant '{door.TenantSlug}', not '{slug}'");
        }

        var apartment = await ApartmentOf(db, door.SiteId, ring.Callee, ct);
        if (apartment is null) return Reject(RejectReasons.UnknownApartment, ring, "the door's site has no apartment with this number");

        var now = time.GetUtcNow();
        var call = new Call
        {
            TenantId = door.TenantId,
            DeviceId = door.Id,
            ApartmentId = apartment.Id,
            AsteriskCallId = ring.AsteriskCallId,
            Caller = ring.Caller,
            Room = "",
            StartedAt = now,
            ExpiresAt = now + callOptions.Value.RingTimeout,
            IsTest = ring.IsTest,
        };
        call.Room = RoomName(call.Id);
        var endpoints = SipEndpoints(apartment.Monitors.Concat(apartment.Residents.Select(r => r.SipUsername)));
        db.Calls.Add(call);
        // A door with a camera gets its picture taken and its video relayed; the ring does not wait for either.
        var details = new IncomingCallDetails(call.Room, liveKitTokens.ClientUrl, ring.Caller, door.Name, apartment.Number, call.StartedAt, call.ExpiresAt,
            door.HasCamera ? CallSnapshotEndpoints.UrlOf(call.Id) : null);
        var ringing = new CallEvent
        {
            Type = CallEventTypes.Ringing,
            CallId = call.Id,
            TenantId = call.TenantId,
            ApartmentId = call.ApartmentId,
            Status = call.Status,
            OccurredAt = now,
            Call = details,
            IsTest = call.IsTest,
            Video = door.HasCamera ? new CallVideo(door.Id, door.SiteId, door.HasSiteRelay ? VideoRelays.Site : VideoRelays.Stack) : null,
            Recipients = apartment.Residents
                .Select(r => new CallRecipient(r.UserId, liveKitTokens.ForResident(call.Room, r.UserId), r.Push))
                .ToList(),
        };
        // The ring goes into the outbox in the call's own INSERT batch (no extra round trip): if Redis is down, or
        // this process dies before publishing, the ring is still sent once Redis answers.
        var staged = CallEventPublisher.Stage(db, ringing, now);
        // The door's log line of the call, in the same batch (no extra round trip); its picture is the call's snapshot.
        DoorEvents.DoorLog.Stage(db, new DoorEvents.DoorEventEntry(call.TenantId, door.SiteId, door.Id, DoorEvents.DoorEventKinds.Call, now)
        {
            ApartmentId = call.ApartmentId, CallId = call.Id,
        });
        // No BEGIN/COMMIT around the two INSERTs: EF sends them as one batch, and PostgreSQL runs the statements of
        // one batch (one Sync) as one implicit transaction, so the call and its ring are still saved together or not
        // at all. That saves the COMMIT's round trip and two statements per ring.
        var autoTransactions = db.Database.AutoTransactionBehavior;
        db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // The same door channel again: the first StasisStart rang; answer alike, ring nobody.
            db.ChangeTracker.Clear();
            logger.LogInformation("Door channel {AsteriskCallId} already has its call: nobody rung again", call.AsteriskCallId);
            return await FindExistingAsync(call.AsteriskCallId, ct)
                ?? throw new InvalidOperationException("A duplicate call id was reported but no such call exists.", e);
        }
        finally
        {
            db.Database.AutoTransactionBehavior = autoTransactions;
        }

        // Not awaited: the visitor stands at the door, and LiveKit creates
        // the room anyway when the first participant joins. Creating it here only sets Neolia's limits (empty timeout,
        // max participants) before anyone answers, seconds later. The client never throws for LiveKit's failures
        // (it logs them) and has its own timeouts, so the task cannot fault unobserved or hang on.
        _ = liveKitRooms.CreateRoomAsync(call.Room, CancellationToken.None);

        await events.PublishStagedAsync(staged);
        LogRinging(logger, call.Id, ring.Caller, apartment.Number, apartment.Residents.Count, call.Room);
        return new DoorCallStart(null, call.Id, door.Id, door.Name, door.SipUsername, call.Room, endpoints, apartment.Residents.Count, call.ExpiresAt);
    }

    private sealed record DoorRow(Guid Id, Guid TenantId, Guid SiteId, string Name, string SipUsername, string TenantSlug, bool HasCamera, bool HasSiteRelay);

    private sealed record ResidentRow(Guid UserId, string? SipUsername, List<PushTarget> Push);

    private sealed record ApartmentRow(Guid Id, string Number, List<ResidentRow> Residents, List<string> Monitors);

    private static readonly Func<NeoliaDb, string, CancellationToken, Task<DoorRow?>> DoorOf = EF.CompileAsyncQuery(
        (NeoliaDb db, string caller, CancellationToken ct) => db.Devices
            .Where(d => d.SipUsername == caller && d.IsActive)
            .Select(d => new DoorRow(d.Id, d.TenantId, d.SiteId, d.Name, d.SipUsername,
                db.Tenants.Where(t => t.Id == d.TenantId).Select(t => t.Slug).First(),
                d.RtspUrlProtected != null,
                db.Set<SiteRelay>().Any(r => r.SiteId == d.SiteId)))
            .SingleOrDefault());

    private static readonly Func<NeoliaDb, Guid, string, CancellationToken, Task<ApartmentRow?>> ApartmentOf = EF.CompileAsyncQuery(
        (NeoliaDb db, Guid siteId, string number, CancellationToken ct) => db.Apartments
            .Where(a => a.SiteId == siteId && a.Number == number)
            .Select(a => new ApartmentRow(
                a.Id,
                a.Number,
                a.Memberships.AsQueryable().Where(CallRecipients.IsRecipient).OrderBy(m => m.UserId).Select(m => new ResidentRow(
                    m.UserId,
                    m.User!.SipUsername,
                    // Loaded here rather than by the publisher: one round trip less on the way to the phone.
                    db.Set<PushRegistration>().Where(p => p.UserId == m.UserId).Select(p => new PushTarget(p.Id, p.Platform, p.Token)).ToList()))
                    .ToList(),
                db.Devices.Where(d => d.ApartmentId == a.Id && d.IsActive && d.Kind == DeviceKind.IndoorMonitor).Select(d => d.SipUsername).ToList()))
            .SingleOrDefault());

    /// <summary>
    /// Runs the door ring's queries on <paramref name="db"/>'s connection with values that match nothing, often enough
    /// for Npgsql to prepare them there (its automatic preparation starts at the fifth use).
    /// </summary>
    internal static async Task WarmUpAsync(NeoliaDb db, CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        for (var i = 0; i < 5; i++)
        {
            await DoorOf(db, "", ct);
            await ApartmentOf(db, Guid.Empty, "", ct);
        }
    }

    // Debug: one line per ring costs 5–10 % of a core at 300–400 calls/s; the call is in the database and in its events.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallId} from {Caller} to apartment {Apartment} rings {Residents} resident(s) in room {Room}")]
    private static partial void LogRinging(ILogger logger, Guid callId, string caller, string apartment, int residents, string room);

    private async Task<DoorCallStart?> FindExistingAsync(string asteriskCallId, CancellationToken ct) =>
        (await SnapshotsAsync(db.Calls.Where(c => c.AsteriskCallId == asteriskCallId), ct)).SingleOrDefault()?.Start;

    /// <summary>
    /// The door calls still ringing or answered, as they were started: what a call control that restarted or
    /// reconnected needs to take them over again (test calls have no door channel and are left out).
    /// </summary>
    public Task<IReadOnlyList<DoorCallSnapshot>> LiveCallsAsync(CancellationToken ct)
    {
        db.TenantScope = TenantScope.All;
        return SnapshotsAsync(db.Calls.Where(c => !c.IsTest && (c.Status == CallStatuses.Ringing || c.Status == CallStatuses.Answered)), ct);
    }

    private async Task<IReadOnlyList<DoorCallSnapshot>> SnapshotsAsync(IQueryable<Call> calls, CancellationToken ct)
    {
        var rows = await calls
            .Select(c => new
            {
                Call = c,
                Door = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => new { d.Name, d.SipUsername }).First(),
                Residents = db.ApartmentMemberships.Where(m => m.ApartmentId == c.ApartmentId && m.User!.IsActive).Select(m => m.User!.SipUsername).ToList(),
                Monitors = db.Devices.Where(d => d.ApartmentId == c.ApartmentId && d.IsActive && d.Kind == DeviceKind.IndoorMonitor).Select(d => d.SipUsername).ToList(),
            })
            .ToListAsync(ct);
        return rows.Select(r => new DoorCallSnapshot(
            new DoorCallStart(null, r.Call.Id, r.Call.DeviceId, r.Door.Name, r.Door.SipUsername, r.Call.Room,
                SipEndpoints(r.Monitors.Concat(r.Residents)), r.Residents.Count, r.Call.ExpiresAt),
            r.Call.AsteriskCallId, r.Call.Status, r.Call.StartedAt, r.Call.AnsweredAt)).ToList();
    }

    /// <summary>Every SIP endpoint of the apartment, each once: they are rung in parallel.</summary>
    private static IReadOnlyList<string> SipEndpoints(IEnumerable<string?> endpoints) => endpoints.OfType<string>().Distinct().ToList();

    private const string RoomPrefix = "call-";

    public static string RoomName(Guid callId) => $"{RoomPrefix}{callId:N}";

    /// <summary>The call a LiveKit room belongs to (rooms not named by <see cref="RoomName"/> belong to none).</summary>
    public static bool TryParseRoomName(string room, out Guid callId)
    {
        callId = default;
        return room.StartsWith(RoomPrefix, StringComparison.Ordinal) && Guid.TryParseExact(room.AsSpan(RoomPrefix.Length), "N", out callId);
    }

    private DoorCallStart Reject(string reason, DoorRing ring, string why)
    {
        logger.LogWarning("Door call rejected ({Reason}): caller {Caller}, callee {Callee}, tenant {Tenant}: {Why}",
            reason, ring.Caller, ring.Callee, ring.TenantSlug ?? "(not sent)", why);
        return DoorCallStart.Rejected(reason);
    }

    /// <summary>Why <see cref="StartAsync"/> started no call.</summary>
    public static class RejectReasons
    {
        public const string UnknownDevice = "unknown_device";
        public const string UnknownTenant = "unknown_tenant";
        public const string UnknownApartment = "unknown_apartment";
    }
}
