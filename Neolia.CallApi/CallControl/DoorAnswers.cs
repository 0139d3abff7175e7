using Neolia.Contracts;
using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// The one place that chooses what the door hears: the <c>reason</c> of <c>DELETE /channels/{id}</c> for each way a
/// door call ends, which chan_pjsip turns into the SIP final response (<see cref="AriHangupReasons"/>).
/// </summary>
internal static class DoorAnswers
{
    /// <returns>The hangup reason for the door, or null when the door's channel is gone already (the visitor hung up).</returns>
    public static string? For(DoorCallOutcome outcome) => outcome switch
    {
        DoorCallOutcome.DoorHungUp => null,
        DoorCallOutcome.AnswererHungUp => AriHangupReasons.Normal,      // BYE after the talk
        DoorCallOutcome.RangOut => AriHangupReasons.NoAnswer,           // 480 Temporarily Unavailable
        DoorCallOutcome.Declined => AriHangupReasons.Busy,              // 486 Busy Here
        DoorCallOutcome.NoDeviceReachable => AriHangupReasons.Congestion, // 503 Service Unavailable
        _ => AriHangupReasons.Congestion,                               // 503: the answer could not be connected
    };

    /// <summary>A door call that was not started: 404 for a number the door's site does not have, 403 for a door that is not ours.</summary>
    public static string ForRejected(string rejectReason) =>
        rejectReason == DoorCallService.RejectReasons.UnknownApartment ? AriHangupReasons.Unallocated : AriHangupReasons.Rejected;

    /// <summary>What a call closed in the API (not by its door) means for the door.</summary>
    public static DoorCallOutcome OutcomeOfClosed(string status, bool answered) => status switch
    {
        CallStatuses.Declined => DoorCallOutcome.Declined,
        CallStatuses.Missed => DoorCallOutcome.RangOut,
        _ when answered => DoorCallOutcome.AnswererHungUp,
        _ => DoorCallOutcome.RangOut,
    };
}
