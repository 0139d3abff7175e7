using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// LiveKit Ingress (Twirp <c>livekit.Ingress</c>), with the official SDK's names and requests: an ingress is the
/// address a media relay publishes a door's stream to, and LiveKit turns it into a participant's track in a room.
/// Like <see cref="RoomServiceClient"/> it never throws for LiveKit's failures: they are logged and returned.
/// </summary>
public sealed class IngressClient(HttpClient http, IOptions<LiveKitOptions> options, TimeProvider time, ILogger<IngressClient> logger)
{
    private static readonly VideoGrants IngressAdmin = new() { IngressAdmin = true };

    private Task<RoomServiceResult<TResponse>> SendAsync<TRequest, TResponse>(string method, TRequest body,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        string? room, CancellationToken ct) where TResponse : class =>
        new TwirpClient(http, options.Value, time, logger)
            .SendAsync("Ingress", method, body, requestType, responseType, IngressAdmin, sip: null, room is null ? "all rooms" : $"room {room}", ct);

    public Task<RoomServiceResult<IngressInfo>> CreateIngressAsync(IngressInput inputType, CreateIngressOptions ingress, CancellationToken ct = default) =>
        SendAsync("CreateIngress", new CreateIngressRequest(inputType, ingress), LiveKitJson.Default.CreateIngressRequest,
            LiveKitJson.Default.IngressInfo, ingress.RoomName, ct);

    /// <summary>The ingresses of one room, or all of them.</summary>
    public async Task<RoomServiceResult<IReadOnlyList<IngressInfo>>> ListIngressAsync(string? roomName = null, CancellationToken ct = default)
    {
        var result = await SendAsync("ListIngress", new ListIngressRequest(roomName), LiveKitJson.Default.ListIngressRequest,
            LiveKitJson.Default.ListIngressResponse, roomName, ct);
        return new(result.Value?.Items ?? (result.Succeeded ? [] : null), result.Error);
    }

    /// <summary>Deletes the ingress: LiveKit disconnects whoever publishes to it and removes its participant.</summary>
    public Task<RoomServiceResult<IngressInfo>> DeleteIngressAsync(string ingressId, string? room = null, CancellationToken ct = default) =>
        SendAsync("DeleteIngress", new DeleteIngressRequest(ingressId), LiveKitJson.Default.DeleteIngressRequest,
            LiveKitJson.Default.IngressInfo, room, ct);
}

/// <summary>livekit <c>IngressInput</c>.</summary>
public enum IngressInput
{
    RtmpInput = 0,
    WhipInput = 1,
    UrlInput = 2,
}

/// <summary>What the official SDK's <c>createIngress</c> options carry (the fields Neolia sets).</summary>
public sealed record CreateIngressOptions
{
    public string Name { get; init; } = "";
    public required string RoomName { get; init; }
    public required string ParticipantIdentity { get; init; }
    public string ParticipantName { get; init; } = "";

    /// <summary>WHIP only: false passes the published H.264 through untouched (RTMP is always transcoded).</summary>
    public bool? EnableTranscoding { get; init; }
}

/// <summary>The fields of livekit <c>IngressInfo</c> Neolia reads.</summary>
public sealed record IngressInfo
{
    [JsonPropertyName("ingressId")] public string IngressId { get; init; } = "";
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    /// <summary>The publishing credential: whoever has <see cref="Url"/>/<see cref="StreamKey"/> can publish into the room.</summary>
    [JsonPropertyName("streamKey")] public string StreamKey { get; init; } = "";
    [JsonPropertyName("url")] public string Url { get; init; } = "";
    [JsonPropertyName("roomName")] public string RoomName { get; init; } = "";
    [JsonPropertyName("participantIdentity")] public string ParticipantIdentity { get; init; } = "";

    /// <summary>Where a publisher sends its stream: RTMP takes the key as the last path segment of the URL.</summary>
    public string PublishUrl => $"{Url.TrimEnd('/')}/{StreamKey}";
}

// Protobuf JSON leaves out fields at their default: RTMP_INPUT (0) and an unset transcoding flag are not sent.
internal sealed record CreateIngressRequest
{
    public CreateIngressRequest(IngressInput inputType, CreateIngressOptions o)
    {
        InputType = inputType switch
        {
            IngressInput.RtmpInput => null,
            IngressInput.WhipInput => "WHIP_INPUT",
            _ => "URL_INPUT",
        };
        (Name, RoomName, ParticipantIdentity, ParticipantName, EnableTranscoding) =
            (NullIfEmpty(o.Name), o.RoomName, o.ParticipantIdentity, NullIfEmpty(o.ParticipantName), o.EnableTranscoding);
    }

    [JsonPropertyName("inputType")] public string? InputType { get; }
    [JsonPropertyName("name")] public string? Name { get; }
    [JsonPropertyName("roomName")] public string RoomName { get; }
    [JsonPropertyName("participantIdentity")] public string ParticipantIdentity { get; }
    [JsonPropertyName("participantName")] public string? ParticipantName { get; }
    [JsonPropertyName("enableTranscoding")] public bool? EnableTranscoding { get; }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}

internal sealed record ListIngressRequest([property: JsonPropertyName("roomName")] string? RoomName);

internal sealed record ListIngressResponse([property: JsonPropertyName("items")] IReadOnlyList<IngressInfo>? Items);

internal sealed record DeleteIngressRequest([property: JsonPropertyName("ingressId")] string IngressId);
