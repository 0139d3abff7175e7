namespace Neolia.CallApi.Calls;

/// <summary>
/// What the call lifecycle asks of whoever holds the door's channel (the ARI call control), so that a decision taken
/// in the API reaches the door: an app's answer bridges the door into the room, a closed call hangs the door up, an
/// opening sends the DTMF code. A call this replica controls no door channel of (a test call) is left alone.
/// </summary>
public interface IDoorCallControl
{
    /// <summary>A resident answered in the app: bridge the door's audio into the call's room, stop the SIP phones.</summary>
    void AppAnswered(Guid callId);

    /// <summary>The call reached a final <paramref name="status"/> in the API (declined by everyone, rang out, room closed): hang the door up.</summary>
    void CallClosed(Guid callId, string status);

    /// <summary>Sends the door's code on its channel; one of <see cref="DoorOpeningResults"/>.</summary>
    Task<string> SendDoorCodeAsync(Guid callId, CancellationToken ct);
}
