using System.Globalization;
using System.Text.Json;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// The part of a LiveKit webhook (livekit/protocol <c>WebhookEvent</c>, protobuf JSON) that Neolia reads. The server
/// writes lowerCamelCase names and int64 values as strings; protobuf JSON readers also accept the proto
/// (snake_case) names and numbers, and so does this one. Unknown fields are ignored.
/// </summary>
public sealed record WebhookEvent
{
    /// <summary><c>room_started</c>, <c>room_finished</c>, <c>participant_joined</c>, <c>participant_left</c>, …</summary>
    public required string Event { get; init; }
    public WebhookRoom? Room { get; init; }
    public WebhookParticipant? Participant { get; init; }
    /// <summary>Unique per event (retries of one event carry the same id).</summary>
    public string? Id { get; init; }
    /// <summary>Unix seconds.</summary>
    public long? CreatedAt { get; init; }

    public DateTimeOffset? CreatedAtUtc => CreatedAt is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null;

    /// <returns>The event, or <c>null</c> with <paramref name="error"/> when the body is not a webhook event.</returns>
    public static WebhookEvent? Parse(ReadOnlySpan<byte> json, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Fail("the body is not a JSON object", out error);
            if (String(root, "event") is not { Length: > 0 } name) return Fail("the body has no 'event'", out error);

            error = null;
            return new WebhookEvent
            {
                Event = name,
                Room = Object(root, "room") is { } room
                    ? new WebhookRoom(String(room, "name") ?? "", String(room, "sid") ?? "")
                    : null,
                Participant = Object(root, "participant") is { } p
                    ? new WebhookParticipant(String(p, "identity") ?? "", String(p, "sid") ?? "", String(p, "name"))
                    : null,
                Id = String(root, "id"),
                CreatedAt = Int64(root, "createdAt", "created_at"),
            };
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException)
        {
            return Fail($"the body is not a valid webhook event: {e.Message}", out error);
        }
    }

    private static WebhookEvent? Fail(string why, out string? error)
    {
        error = why;
        return null;
    }

    private static JsonElement? Property(JsonElement obj, string name, string? protoName = null)
    {
        if (obj.TryGetProperty(name, out var value) || (protoName is not null && obj.TryGetProperty(protoName, out value)))
        {
            return value.ValueKind == JsonValueKind.Null ? null : value;
        }
        return null;
    }

    private static string? String(JsonElement obj, string name) => Property(obj, name) is { } v
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new FormatException($"'{name}' is not a string")
        : null;

    private static JsonElement? Object(JsonElement obj, string name) => Property(obj, name) is { } v
        ? v.ValueKind == JsonValueKind.Object ? v : throw new FormatException($"'{name}' is not an object")
        : null;

    private static long? Int64(JsonElement obj, string name, string protoName) => Property(obj, name, protoName) is { } v
        ? v.ValueKind switch
        {
            JsonValueKind.Number => v.GetInt64(),
            JsonValueKind.String => long.Parse(v.GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            _ => throw new FormatException($"'{name}' is not an integer"),
        }
        : null;
}

public sealed record WebhookRoom(string Name, string Sid);

public sealed record WebhookParticipant(string Identity, string Sid, string? Name);
