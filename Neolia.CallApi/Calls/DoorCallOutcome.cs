namespace Neolia.CallApi.Calls;

/// <summary>
/// How a door call ended, as the call control saw it, in the lifecycle's words (no ARI, no SIP): the call control
/// reports one of these, the lifecycle turns it into the call's status (<see cref="CallLifecycle.StatusOf"/>) and
/// reason, and the call control chooses the SIP answer the door hears from the same value.
/// </summary>
public enum DoorCallOutcome
{
    /// <summary>The call was answered and the answerer (a SIP phone, or the app's side through LiveKit) hung up.</summary>
    AnswererHungUp,
    /// <summary>The visitor hung up: while ringing (cancelled) or after the answer (ended).</summary>
    DoorHungUp,
    /// <summary>Nobody answered before the ring timeout.</summary>
    RangOut,
    /// <summary>Declined: every SIP device that rang declined (486/603) and no resident's app can still answer, or every resident declined.</summary>
    Declined,
    /// <summary>No SIP device could be reached and no resident's app can answer.</summary>
    NoDeviceReachable,
    /// <summary>An answer could not be connected to the door (LiveKit SIP unreachable, the bridge failed).</summary>
    BridgeFailed,
}

/// <summary>What the call control measured when a door call ended.</summary>
/// <param name="DoorHangupCause">The Q.850 cause of the door's channel, when Asterisk reported it.</param>
/// <param name="AnsweredSeconds">Seconds the door was connected to the answerer (0 when nobody answered).</param>
/// <param name="DialedSeconds">Seconds from the door's arrival to the end.</param>
public sealed record DoorCallEnd(DoorCallOutcome Outcome, int? DoorHangupCause, int AnsweredSeconds, int DialedSeconds);
