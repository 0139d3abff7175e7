using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// LiveKit's SIP service API (<c>/twirp/livekit.SIP/*</c>) with the official SDKs' method names: trunks and dispatch
/// rules (grant <c>sip.admin</c>) and SIP participants (grant <c>sip.call</c>). Neolia uses an outbound trunk towards
/// Asterisk and <see cref="CreateSIPParticipantAsync"/> to bring a door into its call's room; the inbound trunk and
/// dispatch rules are here for deployments that route calls into LiveKit the other way. Failures are returned, not thrown.
/// </summary>
public sealed class SipClient(HttpClient http, IOptions<LiveKitOptions> options, TimeProvider time, ILogger<SipClient> logger)
{
    private static readonly SipGrants Admin = new() { Admin = true };

    public Task<RoomServiceResult<SipInboundTrunkInfo>> CreateSIPInboundTrunkAsync(SipInboundTrunkInfo trunk, CancellationToken ct = default) =>
        SendAsync("CreateSIPInboundTrunk", new CreateSipInboundTrunkRequest(trunk), LiveKitJson.Default.CreateSipInboundTrunkRequest,
            LiveKitJson.Default.SipInboundTrunkInfo, Admin, trunk.Name, ct);

    public Task<RoomServiceResult<SipOutboundTrunkInfo>> CreateSIPOutboundTrunkAsync(SipOutboundTrunkInfo trunk, CancellationToken ct = default) =>
        SendAsync("CreateSIPOutboundTrunk", new CreateSipOutboundTrunkRequest(trunk), LiveKitJson.Default.CreateSipOutboundTrunkRequest,
            LiveKitJson.Default.SipOutboundTrunkInfo, Admin, trunk.Name, ct);

    public async Task<RoomServiceResult<IReadOnlyList<SipInboundTrunkInfo>>> ListSIPInboundTrunkAsync(CancellationToken ct = default)
    {
        var result = await SendAsync("ListSIPInboundTrunk", new ListSipRequest(), LiveKitJson.Default.ListSipRequest,
            LiveKitJson.Default.ListSipInboundTrunkResponse, Admin, "inbound trunks", ct);
        return new(result.Value?.Items ?? (result.Succeeded ? [] : null), result.Error);
    }

    public async Task<RoomServiceResult<IReadOnlyList<SipOutboundTrunkInfo>>> ListSIPOutboundTrunkAsync(CancellationToken ct = default)
    {
        var result = await SendAsync("ListSIPOutboundTrunk", new ListSipRequest(), LiveKitJson.Default.ListSipRequest,
            LiveKitJson.Default.ListSipOutboundTrunkResponse, Admin, "outbound trunks", ct);
        return new(result.Value?.Items ?? (result.Succeeded ? [] : null), result.Error);
    }

    public Task<RoomServiceResult<SipTrunkInfo>> DeleteSIPTrunkAsync(string sipTrunkId, CancellationToken ct = default) =>
        SendAsync("DeleteSIPTrunk", new DeleteSipTrunkRequest(sipTrunkId), LiveKitJson.Default.DeleteSipTrunkRequest,
            LiveKitJson.Default.SipTrunkInfo, Admin, sipTrunkId, ct);

    public Task<RoomServiceResult<SipDispatchRuleInfo>> CreateSIPDispatchRuleAsync(CreateSipDispatchRuleRequest rule, CancellationToken ct = default) =>
        SendAsync("CreateSIPDispatchRule", rule, LiveKitJson.Default.CreateSipDispatchRuleRequest,
            LiveKitJson.Default.SipDispatchRuleInfo, Admin, rule.Name, ct);

    public async Task<RoomServiceResult<IReadOnlyList<SipDispatchRuleInfo>>> ListSIPDispatchRuleAsync(CancellationToken ct = default)
    {
        var result = await SendAsync("ListSIPDispatchRule", new ListSipRequest(), LiveKitJson.Default.ListSipRequest,
            LiveKitJson.Default.ListSipDispatchRuleResponse, Admin, "dispatch rules", ct);
        return new(result.Value?.Items ?? (result.Succeeded ? [] : null), result.Error);
    }

    /// <summary>LiveKit SIP calls <paramref name="request"/>'s number through the trunk and joins the callee to the room as a participant.</summary>
    public Task<RoomServiceResult<SipParticipantInfo>> CreateSIPParticipantAsync(CreateSipParticipantRequest request, CancellationToken ct = default) =>
        SendAsync("CreateSIPParticipant", request, LiveKitJson.Default.CreateSipParticipantRequest,
            LiveKitJson.Default.SipParticipantInfo, new SipGrants { Call = true }, $"room {request.RoomName}", ct);

    private Task<RoomServiceResult<TResponse>> SendAsync<TRequest, TResponse>(string method, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, SipGrants grants, string? subject, CancellationToken ct) where TResponse : class =>
        // The official client sends an empty video grant with its SIP grant.
        new TwirpClient(http, options.Value, time, logger).SendAsync("SIP", method, body, requestType, responseType, new VideoGrants(), grants, subject, ct);
}

// Twirp JSON is protobuf JSON: lowerCamelCase names, default values left out (as the official SDKs send them).

/// <summary>livekit <c>SIPInboundTrunkInfo</c>: calls LiveKit accepts, from these addresses or with these credentials.</summary>
public sealed record SipInboundTrunkInfo
{
    [JsonPropertyName("sipTrunkId")] public string? SipTrunkId { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("metadata")] public string? Metadata { get; init; }
    [JsonPropertyName("numbers")] public IReadOnlyList<string>? Numbers { get; init; }
    [JsonPropertyName("allowedAddresses")] public IReadOnlyList<string>? AllowedAddresses { get; init; }
    [JsonPropertyName("allowedNumbers")] public IReadOnlyList<string>? AllowedNumbers { get; init; }
    [JsonPropertyName("authUsername")] public string? AuthUsername { get; init; }
    [JsonPropertyName("authPassword")] public string? AuthPassword { get; init; }
}

/// <summary>livekit <c>SIPOutboundTrunkInfo</c>: where LiveKit sends the calls it makes (here: Asterisk), and how it authenticates.</summary>
public sealed record SipOutboundTrunkInfo
{
    [JsonPropertyName("sipTrunkId")] public string? SipTrunkId { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("metadata")] public string? Metadata { get; init; }
    /// <summary>Host and port of the SIP server LiveKit dials.</summary>
    [JsonPropertyName("address")] public string? Address { get; init; }
    [JsonPropertyName("numbers")] public IReadOnlyList<string>? Numbers { get; init; }
    [JsonPropertyName("authUsername")] public string? AuthUsername { get; init; }
    [JsonPropertyName("authPassword")] public string? AuthPassword { get; init; }
}

/// <summary>The fields of livekit <c>SIPTrunkInfo</c> Neolia reads (what DeleteSIPTrunk answers).</summary>
public sealed record SipTrunkInfo
{
    [JsonPropertyName("sipTrunkId")] public string? SipTrunkId { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
}

/// <summary>livekit <c>SIPDispatchRule</c>: one of the three ways LiveKit picks the room of an inbound call.</summary>
public sealed record SipDispatchRule
{
    [JsonPropertyName("dispatchRuleDirect")] public SipDispatchRuleDirect? DispatchRuleDirect { get; init; }
    [JsonPropertyName("dispatchRuleIndividual")] public SipDispatchRuleRoomPrefix? DispatchRuleIndividual { get; init; }
    [JsonPropertyName("dispatchRuleCallee")] public SipDispatchRuleRoomPrefix? DispatchRuleCallee { get; init; }
}

public sealed record SipDispatchRuleDirect(
    [property: JsonPropertyName("roomName")] string RoomName,
    [property: JsonPropertyName("pin")] string? Pin = null);

/// <summary>Rooms named <c>{RoomPrefix}…</c>; an empty <see cref="Pin"/> is sent as none, as protobuf JSON leaves defaults out.</summary>
public sealed record SipDispatchRuleRoomPrefix(
    [property: JsonPropertyName("roomPrefix")] string RoomPrefix,
    [property: JsonPropertyName("pin")] string? Pin = null);

/// <summary>livekit <c>CreateSIPDispatchRuleRequest</c>.</summary>
public sealed record CreateSipDispatchRuleRequest
{
    [JsonPropertyName("rule")] public required SipDispatchRule Rule { get; init; }
    [JsonPropertyName("trunkIds")] public IReadOnlyList<string>? TrunkIds { get; init; }
    [JsonPropertyName("hidePhoneNumber")] public bool? HidePhoneNumber { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("metadata")] public string? Metadata { get; init; }
}

/// <summary>The fields of livekit <c>SIPDispatchRuleInfo</c> Neolia reads.</summary>
public sealed record SipDispatchRuleInfo
{
    [JsonPropertyName("sipDispatchRuleId")] public string? SipDispatchRuleId { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("trunkIds")] public IReadOnlyList<string>? TrunkIds { get; init; }
}

/// <summary>livekit <c>CreateSIPParticipantRequest</c>: the call LiveKit SIP makes, and the participant it becomes in the room.</summary>
public sealed record CreateSipParticipantRequest
{
    [JsonPropertyName("sipTrunkId")] public required string SipTrunkId { get; init; }
    [JsonPropertyName("sipCallTo")] public required string SipCallTo { get; init; }
    [JsonPropertyName("sipNumber")] public string? SipNumber { get; init; }
    [JsonPropertyName("roomName")] public required string RoomName { get; init; }
    [JsonPropertyName("participantIdentity")] public required string ParticipantIdentity { get; init; }
    [JsonPropertyName("participantName")] public string? ParticipantName { get; init; }
    [JsonPropertyName("participantMetadata")] public string? ParticipantMetadata { get; init; }
    [JsonPropertyName("playDialtone")] public bool? PlayDialtone { get; init; }
    [JsonPropertyName("hidePhoneNumber")] public bool? HidePhoneNumber { get; init; }
}

/// <summary>livekit <c>SIPParticipantInfo</c>.</summary>
public sealed record SipParticipantInfo
{
    [JsonPropertyName("participantId")] public string? ParticipantId { get; init; }
    [JsonPropertyName("participantIdentity")] public string? ParticipantIdentity { get; init; }
    [JsonPropertyName("roomName")] public string? RoomName { get; init; }
    [JsonPropertyName("sipCallId")] public string? SipCallId { get; init; }
}

internal sealed record CreateSipInboundTrunkRequest([property: JsonPropertyName("trunk")] SipInboundTrunkInfo Trunk);

internal sealed record CreateSipOutboundTrunkRequest([property: JsonPropertyName("trunk")] SipOutboundTrunkInfo Trunk);

internal sealed record DeleteSipTrunkRequest([property: JsonPropertyName("sipTrunkId")] string SipTrunkId);

/// <summary>The list requests with no filter: an empty object.</summary>
internal sealed record ListSipRequest;

internal sealed record ListSipInboundTrunkResponse([property: JsonPropertyName("items")] IReadOnlyList<SipInboundTrunkInfo>? Items);

internal sealed record ListSipOutboundTrunkResponse([property: JsonPropertyName("items")] IReadOnlyList<SipOutboundTrunkInfo>? Items);

internal sealed record ListSipDispatchRuleResponse([property: JsonPropertyName("items")] IReadOnlyList<SipDispatchRuleInfo>? Items);
