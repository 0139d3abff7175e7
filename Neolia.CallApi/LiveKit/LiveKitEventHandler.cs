using Neolia.CallApi.Calls;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// What CallApi does with a verified LiveKit webhook: <c>participant_joined</c> of a resident (identity
/// <c>user:{id}</c>) answers the call if no answer came through the API; <c>room_finished</c> closes what is still
/// open. LiveKit retries and reorders webhooks; the lifecycle's conditional moves make both harmless.
/// </summary>
/// <param name="calls">The call lifecycle; absent only where the LiveKit feature is hosted on its own (its tests), which then just logs.</param>
public sealed class LiveKitEventHandler(ILogger<LiveKitEventHandler> logger, ICallRoomEvents? calls = null)
{
    public const string ParticipantJoined = "participant_joined";
    public const string RoomFinished = "room_finished";

    private const string ResidentIdentityPrefix = "user:";

    public async Task HandleAsync(WebhookEvent webhook, CancellationToken ct)
    {
        switch (webhook.Event)
        {
            case ParticipantJoined:
                logger.LogInformation("LiveKit: {Identity} joined room {Room} (event {EventId})",
                    webhook.Participant?.Identity, webhook.Room?.Name, webhook.Id);
                if (calls is not null && CallOf(webhook) is { } callId && ResidentOf(webhook.Participant) is { } userId)
                {
                    await calls.ResidentJoinedAsync(callId, userId, ct);
                }
                break;
            case RoomFinished:
                logger.LogInformation("LiveKit: room {Room} finished (event {EventId})", webhook.Room?.Name, webhook.Id);
                if (calls is not null && CallOf(webhook) is { } finished) await calls.RoomFinishedAsync(finished, ct);
                break;
            default:
                logger.LogDebug("LiveKit: {Event} for room {Room} ignored (event {EventId})", webhook.Event, webhook.Room?.Name, webhook.Id);
                break;
        }
    }

    private static Guid? CallOf(WebhookEvent webhook) =>
        webhook.Room?.Name is { } room && DoorCallService.TryParseRoomName(room, out var callId) ? callId : null;

    private static Guid? ResidentOf(WebhookParticipant? participant) =>
        participant?.Identity is { } identity && identity.StartsWith(ResidentIdentityPrefix, StringComparison.Ordinal)
            && Guid.TryParse(identity.AsSpan(ResidentIdentityPrefix.Length), out var userId)
            ? userId
            : null;
}

/// <summary>What the call lifecycle does when LiveKit reports on a call's room (implemented by <see cref="CallLifecycle"/>).</summary>
public interface ICallRoomEvents
{
    /// <summary>A resident joined the call's room: it counts as the answer if none came through the API.</summary>
    Task ResidentJoinedAsync(Guid callId, Guid userId, CancellationToken ct);

    /// <summary>LiveKit closed the call's room: whatever is still open is closed.</summary>
    Task RoomFinishedAsync(Guid callId, CancellationToken ct);
}
