namespace Neolia.Contracts;

/// <summary>
/// Server → app WebSocket messages. The shapes are those the existing app already reads; change them only
/// in a way old apps ignore (new optional fields).
/// </summary>
public static class SocketMessageTypes
{
    public const string Hello = "hello";
    public const string IncomingCall = "incoming_call";
    public const string CallUpdated = "call_updated";
}

public sealed record HelloMessage(string Type = SocketMessageTypes.Hello);

public sealed record IncomingCallMessage(IncomingCall Call)
{
    public string Type => SocketMessageTypes.IncomingCall;
}

/// <summary>The <c>call</c> object of an <c>incoming_call</c> message.</summary>
public sealed record IncomingCall(
    Guid Id,
    string Room,
    string CalleeToken,
    string LivekitUrl,
    string Caller,
    string Device,
    string Apartment,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? SnapshotUrl = null)
{
    public static IncomingCall For(Guid callId, IncomingCallDetails details, string calleeToken) => new(
        callId, details.Room, calleeToken, details.LivekitUrl, details.Caller, details.Device, details.Apartment,
        details.CreatedAt, details.ExpiresAt, details.SnapshotUrl);
}

public sealed record CallUpdatedMessage(CallUpdate Call)
{
    public string Type => SocketMessageTypes.CallUpdated;
}


/// <param name="Video">Set only when the door's video changed (<see cref="VideoStates"/>); old apps ignore it.</param>
public sealed record CallUpdate(Guid Id, string Status, Guid? AnsweredBy, string? Video = null);

/// <summary>
/// Server → admin console (<c>/ws/admin</c>): a call of the administrator's tenant (every tenant's for a platform
/// administrator) started ringing or changed. Device, apartment and caller come with the first (ringing) message only.
/// </summary>
public sealed record BoardCallMessage(BoardCall Call)
{
    public const string MessageType = "board_call";

    public string Type => MessageType;
}

/// <param name="Event">The call event this reports (<see cref="CallEventTypes"/>).</param>
/// <param name="Status">The call's status after it.</param>
public sealed record BoardCall(
    Guid Id, Guid TenantId, Guid ApartmentId, string Event, string Status, DateTimeOffset OccurredAt, bool IsTest,
    string? Device = null, string? Apartment = null, string? Caller = null, DateTimeOffset? ExpiresAt = null);
