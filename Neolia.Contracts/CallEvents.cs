
namespace Neolia.Contracts;

/// <summary>The Redis stream CallApi appends call events to and every Notifier replica reads.</summary>
public static class CallEventStream
{
    public const string Key = "neolia:call-events";

    /// <summary>Pub/sub channel that tells readers "there is something new on the stream" without polling.</summary>
    public const string NotifyChannel = "neolia:call-events:notify";

    /// <summary>Approximate length the stream is trimmed to on every append (MAXLEN ~).</summary>
    public const int MaxLength = 100_000;

    /// <summary>The stream entry's single field, holding the event as UTF-8 JSON.</summary>
    public const string DataField = "data";

    /// <summary>Hash of the calls still ringing for one user (field = call id, value = <see cref="IncomingCall"/> JSON), for replay on connect.</summary>
    public static string RingingKey(Guid userId) => $"neolia:ringing:{userId:N}";
}

public static class CallEventTypes
{
    public const string Ringing = "call.ringing";
    public const string Answered = "call.answered";
    public const string Ended = "call.ended";

    /// <summary>
    /// One resident declined: only <see cref="CallEvent.Recipients"/> (that resident) stop ringing; the call itself may
    /// still ring for the others (<see cref="CallEvent.Status"/> is the call's status).
    /// </summary>
    public const string Declined = "call.declined";

    /// <summary>The answerer asked to open the door (the door code itself never goes on the stream).</summary>
    public const string DoorOpened = "call.door_opened";

    /// <summary>The door's video in the call's room started or became unavailable (<see cref="CallEvent.Video"/>.State).</summary>
    public const string VideoChanged = "call.video";
}

/// <summary>One entry of <see cref="CallEventStream.Key"/>.</summary>
public sealed record CallEvent
{
    /// <summary>
    /// Unique per event, given when it is written to the outbox with the state change it reports. The relay may put
    /// an event on the stream twice (published, then the process died before the outbox row was deleted): consumers
    /// act on an id once. <see cref="Guid.Empty"/> only from publishers older than the outbox rule.
    /// </summary>
    public Guid EventId { get; init; }
    /// <summary>One of <see cref="CallEventTypes"/>.</summary>
    public required string Type { get; init; }
    public required Guid CallId { get; init; }
    public required Guid TenantId { get; init; }
    public required Guid ApartmentId { get; init; }
    /// <summary>The call's status after this event (<see cref="CallStatuses"/>).</summary>
    public required string Status { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>Everyone the call concerns: the apartment's residents when it started ringing.</summary>
    public required IReadOnlyList<CallRecipient> Recipients { get; init; }

    /// <summary>Only on <see cref="CallEventTypes.Ringing"/>: what the app shows (without the per-user token).</summary>
    public IncomingCallDetails? Call { get; init; }

    public Guid? AnsweredBy { get; init; }

    /// <summary>Only on <see cref="CallEventTypes.Ringing"/>: an administrator's "test this door", not a visitor.</summary>
    public bool IsTest { get; init; }
    /// <summary>
    /// The door's video: on <see cref="CallEventTypes.Ringing"/> when the door has a camera (which relay pulls it), on
    /// <see cref="CallEventTypes.VideoChanged"/> with its new state. Absent for doors without a camera.
    /// </summary>
    public CallVideo? Video { get; init; }
}

/// <summary>Who relays a door's camera into the call's room, and how that goes.</summary>
/// <param name="Relay">One of <see cref="VideoRelays"/>.</param>
/// <param name="State">One of <see cref="VideoStates"/> (null on the ringing event: nothing is known yet).</param>
public sealed record CallVideo(Guid DeviceId, Guid SiteId, string Relay, string? State = null);

public static class VideoRelays
{
    /// <summary>The stack's media relay replicas (doors reachable from the stack's network).</summary>
    public const string Stack = "stack";

    /// <summary>The relay box inside the door's building (doors behind the building's NAT).</summary>
    public const string Site = "site";
}

public static class VideoStates
{
    /// <summary>The door's video is flowing into the room.</summary>
    public const string Live = "live";

    /// <summary>The door's camera could not be reached (or stopped sending): the call goes on without video.</summary>
    public const string Unavailable = "unavailable";
}

/// <summary>
/// A resident the event concerns, with the LiveKit token minted for them (ringing events only) and their registered
/// push tokens (attached by CallApi's publisher to every event, so the Notifier never reads the database).
/// </summary>
public sealed record CallRecipient(Guid UserId, string? LiveKitToken = null, IReadOnlyList<PushTarget>? PushTargets = null);

public sealed record IncomingCallDetails(
    string Room,
    string LivekitUrl,
    string Caller,
    string Device,
    string Apartment,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? SnapshotUrl = null);

public static class CallStatuses
{
    public const string Ringing = "ringing";
    public const string Answered = "answered";
    public const string Ended = "ended";
    public const string Declined = "declined";
    public const string Missed = "missed";
    public const string Cancelled = "cancelled";
    public const string Failed = "failed";
}
