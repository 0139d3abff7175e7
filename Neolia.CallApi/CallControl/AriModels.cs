using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neolia.CallApi.CallControl;

// The parts of Asterisk's REST API models (rest-api/api-docs/*.json in asterisk/asterisk) that call control reads.

public sealed record AriCallerId
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("number")] public string? Number { get; init; }
}

public sealed record AriDialplan
{
    [JsonPropertyName("context")] public string? Context { get; init; }
    [JsonPropertyName("exten")] public string? Exten { get; init; }
}

/// <summary>channels.json <c>Channel</c>.</summary>
public sealed record AriChannel
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("name")] public string? Name { get; init; }
    /// <summary>Down, Rsrvd, OffHook, Dialing, Ring, Ringing, Up, Busy, …</summary>
    [JsonPropertyName("state")] public string? State { get; init; }
    [JsonPropertyName("caller")] public AriCallerId? Caller { get; init; }
    [JsonPropertyName("dialplan")] public AriDialplan? Dialplan { get; init; }
}

/// <summary>endpoints.json <c>Endpoint</c>.</summary>
public sealed record AriEndpoint
{
    [JsonPropertyName("technology")] public string? Technology { get; init; }
    [JsonPropertyName("resource")] public string? Resource { get; init; }
    /// <summary>unknown, offline or online (a contact is registered).</summary>
    [JsonPropertyName("state")] public string? State { get; init; }
}

/// <summary>events.json <c>ContactInfo</c>.</summary>
public sealed record AriContactInfo
{
    [JsonPropertyName("uri")] public string? Uri { get; init; }
    /// <summary>Unreachable, Reachable, Unknown, NonQualified, Removed.</summary>
    [JsonPropertyName("contact_status")] public string? ContactStatus { get; init; }
    [JsonPropertyName("aor")] public string? Aor { get; init; }
}

/// <summary>applications.json <c>Application</c>.</summary>
public sealed record AriApplication
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("channel_ids")] public IReadOnlyList<string>? ChannelIds { get; init; }
}

/// <summary>asterisk.json <c>AsteriskInfo</c>, as much of it as <c>only=config</c> gives and call control reads.</summary>
public sealed record AriAsteriskInfo
{
    [JsonPropertyName("config")] public AriConfigInfo? Config { get; init; }
}

/// <summary>asterisk.json <c>ConfigInfo</c>: <c>name</c> is the system name.</summary>
public sealed record AriConfigInfo
{
    [JsonPropertyName("name")] public string? Name { get; init; }
}

/// <summary>bridges.json <c>Bridge</c>.</summary>
public sealed record AriBridge
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("channels")] public IReadOnlyList<string>? Channels { get; init; }
}

/// <summary>One message of the event WebSocket (events.json <c>Message</c>/<c>Event</c> and the subtypes call control handles).</summary>
public sealed record AriEvent
{
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("application")] public string? Application { get; init; }
    [JsonPropertyName("channel")] public AriChannel? Channel { get; init; }
    /// <summary>StasisStart: the arguments of StasisBroadcast() (or of the originate's appArgs).</summary>
    [JsonPropertyName("args")] public IReadOnlyList<string>? Args { get; init; }
    /// <summary>ChannelDestroyed: the Q.850 hangup cause.</summary>
    [JsonPropertyName("cause")] public int? Cause { get; init; }
    [JsonPropertyName("cause_txt")] public string? CauseText { get; init; }
    /// <summary>ChannelDtmfReceived.</summary>
    [JsonPropertyName("digit")] public string? Digit { get; init; }
    /// <summary>ContactStatusChange, EndpointStateChange.</summary>
    [JsonPropertyName("endpoint")] public AriEndpoint? Endpoint { get; init; }
    [JsonPropertyName("contact_info")] public AriContactInfo? ContactInfo { get; init; }
    /// <summary>CallBroadcast: the called number (the dialplan's extension).</summary>
    [JsonPropertyName("called")] public string? Called { get; init; }

    /// <summary>The event types call control reads (<see cref="DoorCallRouter.Dispatch"/>, <see cref="AriEventStream"/>): the only ones it asks for.</summary>
    public static readonly IReadOnlyList<string> Handled =
        ["CallBroadcast", "StasisStart", "ChannelStateChange", "ChannelDestroyed", "ChannelDtmfReceived", "ContactStatusChange", "EndpointStateChange", "ApplicationReplaced"];

    public static AriEvent? Parse(ReadOnlySpan<byte> json)
    {
        try { return JsonSerializer.Deserialize(json, AriJson.Default.AriEvent); }
        catch (JsonException) { return null; }
    }
}

/// <summary>applications.json <c>filter</c>'s body: the event types the application gets.</summary>
public sealed record AriEventFilter([property: JsonPropertyName("allowed")] IReadOnlyList<AriEventType> Allowed);

public sealed record AriEventType([property: JsonPropertyName("type")] string Type);

/// <summary>channels.json originate's body: channel variables set before the dial.</summary>
public sealed record AriVariables([property: JsonPropertyName("variables")] IReadOnlyDictionary<string, string> Variables);

[JsonSerializable(typeof(AriVariables))]
[JsonSerializable(typeof(AriEvent))]
[JsonSerializable(typeof(AriEventFilter))]
[JsonSerializable(typeof(AriChannel))]
[JsonSerializable(typeof(IReadOnlyList<AriChannel>))]
[JsonSerializable(typeof(AriEndpoint))]
[JsonSerializable(typeof(AriApplication))]
[JsonSerializable(typeof(AriBridge))]
[JsonSerializable(typeof(AriAsteriskInfo))]
internal sealed partial class AriJson : JsonSerializerContext;

/// <summary>The Q.850 causes of ChannelDestroyed that call control tells apart.</summary>
public static class AriCauses
{
    public const int NormalClearing = 16;
    /// <summary>486 Busy Here from the phone: the device declined.</summary>
    public const int UserBusy = 17;
    public const int NoAnswer = 19;
    /// <summary>603 Decline from the phone.</summary>
    public const int CallRejected = 21;
}

/// <summary>The <c>reason</c> values of <c>DELETE /channels/{id}</c> Neolia uses, and the SIP answer chan_pjsip gives the door for each.</summary>
public static class AriHangupReasons
{
    /// <summary>Cause 16; after an answer, a plain BYE.</summary>
    public const string Normal = "normal";
    /// <summary>Cause 17 → 486 Busy Here: declined.</summary>
    public const string Busy = "busy";
    /// <summary>Cause 19 → 480 Temporarily Unavailable: rang out.</summary>
    public const string NoAnswer = "no_answer";
    /// <summary>Cause 1 → 404 Not Found: no such apartment.</summary>
    public const string Unallocated = "unallocated";
    /// <summary>Cause 34 → 503 Service Unavailable: the call could not be set up.</summary>
    public const string Congestion = "congestion";
    /// <summary>Cause 21 → 403: the door is not one of ours.</summary>
    public const string Rejected = "rejected";
    /// <summary>Cause 26: another phone answered.</summary>
    public const string AnsweredElsewhere = "answered_elsewhere";

    public static int CauseOf(string reason) => reason switch
    {
        Busy => 17, NoAnswer => 19, Unallocated => 1, Congestion => 34, Rejected => 21, AnsweredElsewhere => 26, _ => 16,
    };
}
