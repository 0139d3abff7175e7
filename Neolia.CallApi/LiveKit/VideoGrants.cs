using System.Text.Json.Serialization;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// The <c>video</c> claim of a LiveKit access token (livekit/protocol <c>VideoGrant</c>). Unset grants are left
/// out of the token, as the official SDKs do.
/// </summary>
public sealed record VideoGrants
{
    [JsonPropertyName("roomCreate")] public bool? RoomCreate { get; init; }
    [JsonPropertyName("roomList")] public bool? RoomList { get; init; }
    [JsonPropertyName("roomRecord")] public bool? RoomRecord { get; init; }
    [JsonPropertyName("roomAdmin")] public bool? RoomAdmin { get; init; }
    [JsonPropertyName("roomJoin")] public bool? RoomJoin { get; init; }
    [JsonPropertyName("room")] public string? Room { get; init; }
    [JsonPropertyName("canPublish")] public bool? CanPublish { get; init; }
    [JsonPropertyName("canSubscribe")] public bool? CanSubscribe { get; init; }
    [JsonPropertyName("canPublishData")] public bool? CanPublishData { get; init; }
    [JsonPropertyName("canPublishSources")] public IReadOnlyList<string>? CanPublishSources { get; init; }
    [JsonPropertyName("canUpdateOwnMetadata")] public bool? CanUpdateOwnMetadata { get; init; }
    [JsonPropertyName("ingressAdmin")] public bool? IngressAdmin { get; init; }
    [JsonPropertyName("hidden")] public bool? Hidden { get; init; }
    [JsonPropertyName("recorder")] public bool? Recorder { get; init; }
}

/// <summary>The <c>sip</c> claim of a LiveKit access token (livekit/protocol <c>SIPGrant</c>): trunks and rules, or calls.</summary>
public sealed record SipGrants
{
    [JsonPropertyName("admin")] public bool? Admin { get; init; }
    [JsonPropertyName("call")] public bool? Call { get; init; }
}
