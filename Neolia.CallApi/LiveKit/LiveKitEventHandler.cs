namespace Neolia.CallApi.LiveKit;

/// <summary>
/// What CallApi does with a verified LiveKit webhook. For now it only logs the events the call lifecycle will use:
/// <c>participant_joined</c> of a resident marks the call answered (if no answer came through the API) and
/// <c>room_finished</c> closes what is still open. Scoped, so the lifecycle code can use the database here.
/// </summary>
public sealed class LiveKitEventHandler(ILogger<LiveKitEventHandler> logger)
{
    public const string ParticipantJoined = "participant_joined";
    public const string RoomFinished = "room_finished";

    public Task HandleAsync(WebhookEvent webhook, CancellationToken ct)
    {
        switch (webhook.Event)
        {
            case ParticipantJoined:
                logger.LogInformation("LiveKit: {Identity} joined room {Room} (event {EventId})",
                    webhook.Participant?.Identity, webhook.Room?.Name, webhook.Id);
                break;
            case RoomFinished:
                logger.LogInformation("LiveKit: room {Room} finished (event {EventId})", webhook.Room?.Name, webhook.Id);
                break;
            default:
                logger.LogDebug("LiveKit: {Event} for room {Room} ignored (event {EventId})", webhook.Event, webhook.Room?.Name, webhook.Id);
                break;
        }
        return Task.CompletedTask;
    }
}
