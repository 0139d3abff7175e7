using System.Collections.Frozen;
using Neolia.Contracts;

namespace Neolia.CallApi.Calls;

/// <summary>
/// The call status machine, the one place that says which moves are legal: <c>ringing → answered → ended</c>,
/// <c>ringing → declined | missed | cancelled | failed</c>, and <c>answered → failed</c> when the answer could not be
/// connected to the door (the history says the visitor was never heard, not that a conversation ended). Every other status
/// is final. Code never writes a status without going through <see cref="SourcesOf"/>, and the database decides races
/// (a conditional update whose WHERE names the legal sources), so a late or repeated event can never move a finished
/// call back.
/// </summary>
public static class CallStatusMachine
{
    private static readonly FrozenDictionary<string, string[]> LegalSources = new Dictionary<string, string[]>
    {
        [CallStatuses.Answered] = [CallStatuses.Ringing],
        [CallStatuses.Ended] = [CallStatuses.Answered],
        [CallStatuses.Declined] = [CallStatuses.Ringing],
        [CallStatuses.Missed] = [CallStatuses.Ringing],
        [CallStatuses.Cancelled] = [CallStatuses.Ringing],
        [CallStatuses.Failed] = [CallStatuses.Ringing, CallStatuses.Answered],
    }.ToFrozenDictionary();

    public static readonly IReadOnlyList<string> All =
    [
        CallStatuses.Ringing, CallStatuses.Answered, CallStatuses.Ended, CallStatuses.Declined,
        CallStatuses.Missed, CallStatuses.Cancelled, CallStatuses.Failed,
    ];

    /// <summary>The statuses a call may be in for a move to <paramref name="target"/> to be legal (none for ringing: calls are born ringing).</summary>
    public static string[] SourcesOf(string target) => LegalSources.TryGetValue(target, out var sources) ? sources : [];

    public static bool CanMove(string from, string to) => SourcesOf(to).Contains(from);

    /// <summary>True when no move leaves <paramref name="status"/>.</summary>
    public static bool IsFinal(string status) => status is not (CallStatuses.Ringing or CallStatuses.Answered);

    public static bool IsKnown(string status) => All.Contains(status);
}

/// <summary>Why a call finished (<see cref="Call.EndReason"/>): who or what closed it.</summary>
public static class CallEndReasons
{
    /// <summary>Calls of the old dialplan webhook path, ended by its hangup handler (<see cref="Call.DialStatus"/> says how): history only.</summary>
    public const string AsteriskHangup = "asterisk_hangup";
    /// <summary>The answerer (a SIP phone, or the room's side) hung up (<see cref="DoorCallOutcome.AnswererHungUp"/>).</summary>
    public const string AnswererHungUp = "answerer_hung_up";
    /// <summary>The visitor hung up (<see cref="DoorCallOutcome.DoorHungUp"/>).</summary>
    public const string DoorHungUp = "door_hung_up";
    /// <summary>Every SIP device that rang declined (<see cref="DoorCallOutcome.Declined"/>).</summary>
    public const string DevicesDeclined = "devices_declined";
    /// <summary>No SIP device could be reached and no app could answer (<see cref="DoorCallOutcome.NoDeviceReachable"/>).</summary>
    public const string NoDeviceReachable = "no_device_reachable";
    /// <summary>The answer could not be connected to the door (<see cref="DoorCallOutcome.BridgeFailed"/>).</summary>
    public const string BridgeFailed = "bridge_failed";
    /// <summary>Nobody answered before <see cref="Call.ExpiresAt"/>; closed by the ring-timeout sweeper.</summary>
    public const string RingTimeout = "ring_timeout";
    /// <summary>Every resident of the apartment declined in the app.</summary>
    public const string AllResidentsDeclined = "all_residents_declined";
    /// <summary>LiveKit closed the call's room (everybody left, or it was never joined).</summary>
    public const string RoomFinished = "room_finished";

    /// <summary>The reason a door call's outcome is recorded with.</summary>
    public static string Of(DoorCallOutcome outcome) => outcome switch
    {
        DoorCallOutcome.AnswererHungUp => AnswererHungUp,
        DoorCallOutcome.DoorHungUp => DoorHungUp,
        DoorCallOutcome.RangOut => RingTimeout,
        DoorCallOutcome.Declined => DevicesDeclined,
        DoorCallOutcome.NoDeviceReachable => NoDeviceReachable,
        _ => BridgeFailed,
    };
}
