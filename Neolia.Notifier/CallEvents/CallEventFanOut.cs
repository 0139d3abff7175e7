using System.Text.Json;
using Neolia.Contracts;
using Neolia.Notifier.Sockets;

namespace Neolia.Notifier.CallEvents;

/// <summary>
/// Turns one call event into socket messages for the residents it concerns, and no one else. Each message is
/// serialised once (per recipient for rings, whose LiveKit token is personal; once for updates) and the same
/// bytes go to every socket of that resident.
/// </summary>
public sealed class CallEventFanOut(ConnectionRegistry registry)
{
    public void Deliver(CallEvent callEvent)
    {
        if (callEvent.Type == CallEventTypes.Ringing)
        {
            if (callEvent.Call is not { } details) return;
            foreach (var recipient in callEvent.Recipients)
            {
                var sockets = registry.Of(recipient.UserId);
                if (sockets.IsEmpty) continue;
                var message = JsonSerializer.SerializeToUtf8Bytes(
                    new IncomingCallMessage(IncomingCall.For(callEvent.CallId, details, recipient.LiveKitToken ?? "")),
                    ContractsJson.Default.IncomingCallMessage);
                foreach (var socket in sockets) socket.TrySendRinging(callEvent.CallId, message);
            }
            return;
        }

        if (callEvent.Type == CallEventTypes.VideoChanged)
        {
            if (callEvent.Video?.State is not { } video) return;
            // A plain send, not an update that closes the call for this socket: the call may still be ringing, and a
            // replay on connect racing this message must still ring.
            var notice = JsonSerializer.SerializeToUtf8Bytes(
                new CallUpdatedMessage(new CallUpdate(callEvent.CallId, callEvent.Status, callEvent.AnsweredBy, video)),
                ContractsJson.Default.CallUpdatedMessage);
            foreach (var recipient in callEvent.Recipients)
            {
                foreach (var socket in registry.Of(recipient.UserId)) socket.TrySend(notice);
            }
            return;
        }

        var status = callEvent.Type switch
        {
            CallEventTypes.Answered or CallEventTypes.Ended => callEvent.Status,
            // Only the recipients (the resident who declined) stop ringing: for them the call is declined.
            CallEventTypes.Declined => CallStatuses.Declined,
            // Door openings and types this replica does not know yet say nothing to the app.
            _ => null,
        };
        if (status is null) return;

        byte[]? update = null;
        foreach (var recipient in callEvent.Recipients)
        {
            var sockets = registry.Of(recipient.UserId);
            if (sockets.IsEmpty) continue;
            update ??= JsonSerializer.SerializeToUtf8Bytes(
                new CallUpdatedMessage(new CallUpdate(callEvent.CallId, status, callEvent.AnsweredBy)),
                ContractsJson.Default.CallUpdatedMessage);
            foreach (var socket in sockets) socket.TrySendUpdate(callEvent.CallId, update);
        }
    }
}
