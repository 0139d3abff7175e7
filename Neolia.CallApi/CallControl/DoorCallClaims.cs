namespace Neolia.CallApi.CallControl;

/// <summary>
/// The dialplan offers each door call to every replica at once (<c>StasisBroadcast()</c>: a CallBroadcast event to
/// each application <c>neolia-…</c>); the first claim (<c>POST /events/claim</c>) wins and the channel enters that
/// replica's application (StasisStart), the others get 409 and do nothing. A replica claims only when it can serve
/// the call: it is not shutting down, its database answered lately, it has a free set-up slot. A replica at its
/// set-up limit claims late (<see cref="BusyClaimDelay"/>), leaving the call to a free replica, and not at all once as
/// many calls wait for a slot as it sets up. One that cannot serve (or is hung, or dead) never claims; when no replica
/// claims within the broadcast's 1 s, the dialplan rings the apartment's SIP devices itself. LiveKit SIP's leg of a
/// call is broadcast the same way: only the call's owner claims it.
/// </summary>
internal sealed class DoorCallClaims(DoorCallRegistry registry, CallSetupSlots slots, DatabaseProbe database,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<DoorCallClaims> logger)
{
    /// <summary>How long a replica with no free set-up slot waits before it claims: a free replica's claim comes first.</summary>
    public static readonly TimeSpan BusyClaimDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A busy replica claims a little later: 1 ms per call it is setting up and 0.5 ms per live call it controls, at
    /// most <see cref="MaxLoadDelay"/>. Of replicas that can all serve, the least loaded one usually wins, so calls
    /// spread over them instead of all going to whichever answers fastest; an idle replica claims at once. The cost is
    /// at most 10 ms on a loaded replica's rings.
    /// </summary>
    public TimeSpan LoadDelay()
    {
        var ms = slots.Busy + 0.5 * registry.LiveCount;
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxLoadDelay.TotalMilliseconds));
    }

    public static readonly TimeSpan MaxLoadDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>The context of extensions.conf whose StasisBroadcast() offers a door's channel.</summary>
    public const string DoorContext = "neolia-door";

    /// <summary>The context LiveKit SIP's legs land in; their extension is the call id.</summary>
    public const string LiveKitContext = "neolia-livekit";

    /// <summary>Why this replica does not take a door call now, or null when it does.</summary>
    public string? WhyNot() =>
        lifetime.ApplicationStopping.IsCancellationRequested ? "shutting down"
        : !database.Reachable ? "the database does not answer"
        : !slots.AnyFree && slots.Waiting >= slots.Limit ? "every set-up slot is taken and as many calls wait for one"
        : null;

    /// <summary>A CallBroadcast: claims it in the background when this replica should take it (the event reader never waits).</summary>
    public void Offered(AsteriskServer asterisk, AriEvent e)
    {
        if (e.Channel is not { } channel) return;
        switch (channel.Dialplan?.Context)
        {
            case DoorContext:
                if (WhyNot() is { } reason)
                {
                    logger.LogDebug("Door channel {Channel} offered; not claimed: {Reason}", channel.Id, reason);
                    return;
                }
                _ = slots.AnyFree ? ClaimAsync(asterisk, channel.Id, "door", LoadDelay()) : ClaimLateAsync(asterisk, channel.Id);
                break;
            case LiveKitContext:
                // Only the replica that asked LiveKit for this leg bridges it, and only on the call's own Asterisk (a leg
                // another Asterisk offers, through a misdirected trunk, could never be bridged with the door).
                if (Guid.TryParseExact(channel.Dialplan.Exten, "N", out var callId) && registry.ByCall(callId) is { AppAnswered: true, Finished: false } call
                    && call.Asterisk == asterisk)
                    _ = ClaimAsync(asterisk, channel.Id, "LiveKit SIP leg");
                break;
        }
    }

    private async Task ClaimLateAsync(AsteriskServer asterisk, string channelId)
    {
        await Task.Delay(BusyClaimDelay, time);
        if (WhyNot() is null) await ClaimAsync(asterisk, channelId, "door (late: no set-up slot was free)");
    }

    private async Task ClaimAsync(AsteriskServer asterisk, string channelId, string what, TimeSpan delay = default)
    {
        try
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay, time);
            if (await asterisk.Client.ClaimAsync(channelId, CancellationToken.None))
                logger.LogDebug("Claimed {What} channel {Channel}", what, channelId);
            else
                logger.LogDebug("{What} channel {Channel} was claimed by another replica (or its broadcast ended)", what, channelId);
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e))
        {
            logger.LogWarning("Could not claim {What} channel {Channel} on Asterisk {Asterisk}: {Error}", what, channelId, asterisk.Name, e.Message);
        }
    }
}
