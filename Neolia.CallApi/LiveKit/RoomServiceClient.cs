using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// The LiveKit room service (Twirp, protobuf JSON over HTTP POST), as the official server SDKs call it: each call
/// carries a fresh 10-minute token with only the grant its method needs. It never throws for LiveKit's failures
/// (unreachable, 4xx/5xx, timeout): they are logged and returned, because LiveKit creates a room on first join and
/// a call must ring whether or not the server API answered.
/// </summary>
public sealed class RoomServiceClient(HttpClient http, IOptions<LiveKitOptions> options, TimeProvider time, ILogger<RoomServiceClient> logger)
{
    /// <summary>How long LiveKit keeps a room nobody joined, or that everybody left.</summary>
    public const uint EmptyTimeoutSeconds = 300;
    public const uint MaxParticipants = 100;

    /// <summary>Creates the call's room (or returns it if it exists) with Neolia's limits.</summary>
    public Task<RoomServiceResult<LiveKitRoom>> CreateRoomAsync(string name, CancellationToken ct = default) =>
        SendAsync("CreateRoom", new CreateRoomRequest(name, EmptyTimeoutSeconds, MaxParticipants), LiveKitJson.Default.CreateRoomRequest,
            LiveKitJson.Default.LiveKitRoom, new VideoGrants { RoomCreate = true }, room: name, ct);

    /// <summary>Ends the room: disconnects whoever is still in it.</summary>
    public async Task<RoomServiceResult> DeleteRoomAsync(string name, CancellationToken ct = default) =>
        await SendAsync("DeleteRoom", new DeleteRoomRequest(name), LiveKitJson.Default.DeleteRoomRequest,
            LiveKitJson.Default.DeleteRoomResponse, new VideoGrants { RoomCreate = true }, room: name, ct);

    /// <summary>The active rooms, all of them or those with the given names.</summary>
    public async Task<RoomServiceResult<IReadOnlyList<LiveKitRoom>>> ListRoomsAsync(IReadOnlyList<string>? names = null, CancellationToken ct = default)
    {
        var result = await SendAsync("ListRooms", new ListRoomsRequest(names is { Count: > 0 } ? names : null), LiveKitJson.Default.ListRoomsRequest,
            LiveKitJson.Default.ListRoomsResponse, new VideoGrants { RoomList = true }, room: null, ct);
        return new(result.Value?.Rooms ?? (result.Succeeded ? [] : null), result.Error);
    }

    private Task<RoomServiceResult<TResponse>> SendAsync<TRequest, TResponse>(
        string method, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, VideoGrants grants, string? room, CancellationToken ct)
        where TResponse : class =>
        new TwirpClient(http, options.Value, time, logger)
            .SendAsync("RoomService", method, body, requestType, responseType, grants, sip: null, room is null ? "all rooms" : $"room {room}", ct);
}

/// <summary>What a LiveKit server API call (room or SIP service) gave: <see cref="Error"/> is set when it failed (already logged).</summary>
public record RoomServiceResult(string? Error)
{
    public bool Succeeded => Error is null;
}

public sealed record RoomServiceResult<T>(T? Value, string? Error) : RoomServiceResult(Error);

/// <summary>The fields of livekit <c>Room</c> Neolia reads.</summary>
public sealed record LiveKitRoom
{
    [JsonPropertyName("sid")] public string Sid { get; init; } = "";
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("emptyTimeout")] public uint EmptyTimeout { get; init; }
    [JsonPropertyName("maxParticipants")] public uint MaxParticipants { get; init; }
    [JsonPropertyName("numParticipants")] public uint NumParticipants { get; init; }
}

// Twirp JSON is protobuf JSON: lowerCamelCase field names, as the official SDKs send them.
internal sealed record CreateRoomRequest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("emptyTimeout")] uint EmptyTimeout,
    [property: JsonPropertyName("maxParticipants")] uint MaxParticipants);

internal sealed record DeleteRoomRequest([property: JsonPropertyName("room")] string Room);

internal sealed record ListRoomsRequest([property: JsonPropertyName("names")] IReadOnlyList<string>? Names);

internal sealed record DeleteRoomResponse;

internal sealed record ListRoomsResponse([property: JsonPropertyName("rooms")] IReadOnlyList<LiveKitRoom>? Rooms);
