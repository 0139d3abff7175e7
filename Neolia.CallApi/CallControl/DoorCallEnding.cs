using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// How a door call ends, once: its ring timeout, and the finish that hangs up whatever still rings or talks, gives the
/// door its answer (<see cref="DoorAnswers"/>) and reports the outcome to the call lifecycle.
/// </summary>
internal sealed partial class DoorCallEnding(DoorCallRegistry registry, IServiceScopeFactory scopes, TimeProvider time,
    ILogger<DoorCallEnding> logger)
{
    /// <summary>Starts (or restarts, after a reconnect) the call's ring timeout.</summary>
    public void StartRingTimer(DoorCall call)
    {
        call.Timer?.Dispose();
        var remaining = call.Start!.ExpiresAt - time.GetUtcNow();
        call.Timer = time.CreateTimer(_ => call.Work.Post(() => OnRingTimeoutAsync(call)), null,
            remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining, Timeout.InfiniteTimeSpan);
    }

    private Task OnRingTimeoutAsync(DoorCall call)
    {
        if (call.Finished || call.IsAnswered) return Task.CompletedTask;
        LogRangOut(logger, call.CallId);
        return FinishAsync(call, DoorCallOutcome.RangOut);
    }

    /// <summary>
    /// Ends the call once and reports <paramref name="outcome"/> with the cause the door's channel ended with: its own
    /// when it hung up (<paramref name="doorCause"/>), else the one it was hung up with.
    /// </summary>
    public async Task FinishAsync(DoorCall call, DoorCallOutcome outcome, int? doorCause = null)
    {
        if (call.Finished) return;
        call.Finished = true;
        call.Timer?.Dispose();
        registry.Remove(call);
        call.Work.Complete();

        await HangUpLegsAsync(call);
        if (call.Peer is { } peer) await call.Asterisk.TryAsync(a => a.HangupAsync(peer, AriHangupReasons.Normal, CancellationToken.None), "hang up the answerer");
        if (DoorAnswers.For(outcome) is { } reason)
        {
            doorCause ??= AriHangupReasons.CauseOf(reason);
            await call.Asterisk.TryAsync(a => a.HangupAsync(call.DoorChannelId, reason, CancellationToken.None), "hang up the door");
        }
        if (call.Peer is not null) await call.Asterisk.TryAsync(a => a.DestroyBridgeAsync(call.BridgeId, CancellationToken.None), "destroy the bridge");
        if (call.Start is null) return;

        var now = time.GetUtcNow();
        var end = new DoorCallEnd(outcome, doorCause,
            call.AnsweredAt is { } at ? (int)(now - at).TotalSeconds : 0, (int)(now - call.StartedAt).TotalSeconds);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CallLifecycle>().EndDoorCallAsync(call.CallId, end, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The sweeper closes a ringing call later if this report is lost.
            logger.LogWarning(e, "The end of call {CallId} ({Outcome}) could not be recorded", call.CallId, outcome);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Call {CallId} rang out")]
    private static partial void LogRangOut(ILogger logger, Guid callId);

    /// <summary>
    /// Stops every SIP leg still ringing: "answered elsewhere" (cause 26) when someone answered, so the phones log no
    /// missed call; a plain hangup when nobody did (the visitor left, the ring timed out, everyone declined).
    /// </summary>
    public async Task HangUpLegsAsync(DoorCall call)
    {
        var reason = call.IsAnswered ? AriHangupReasons.AnsweredElsewhere : AriHangupReasons.Normal;
        foreach (var leg in call.Legs.Keys.ToList())
        {
            call.Legs.Remove(leg);
            await call.Asterisk.TryAsync(a => a.HangupAsync(leg, reason, CancellationToken.None), "hang up a ringing leg");
        }
    }
}
