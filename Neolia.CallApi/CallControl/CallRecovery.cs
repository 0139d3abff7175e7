using Neolia.Contracts;
using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// After the event stream to an Asterisk (re)connected: the calls the database says are live on it are matched with its channels.
/// A door channel that is gone ended unseen (any replica may say so: the end is one conditional move); one that is in
/// this replica's application is taken over (legs, peer, remaining ring time); one in another replica's application
/// is that replica's. Each call's recovery is a step of its own, in its order with the call's events.
/// </summary>
internal sealed class CallRecovery(DoorCallRegistry registry, AsteriskServers asterisks, SipLegs legs, DoorCallEnding ending, ControlLeases leases,
    IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory loggers, ILogger<CallRecovery> logger)
{
    public async Task RecoverAsync(AsteriskServer asterisk, CancellationToken ct)
    {
        // The database first: a call another replica records meanwhile has its channel in the list that follows, so it
        // is never taken for one whose door is gone.
        IReadOnlyList<DoorCallSnapshot> live;
        await using (var scope = scopes.CreateAsyncScope())
        {
            live = await scope.ServiceProvider.GetRequiredService<DoorCallService>().LiveCallsAsync(ct);
        }
        var client = asterisk.Client;
        var channels = (await client.ListChannelsAsync(ct)).ToDictionary(c => c.Id);
        var mine = await client.ApplicationChannelsAsync(ct);
        var owners = await leases.OwnersAsync(live.Select(l => l.Start.CallId).ToList(), ct);
        live = live.Where(l => IsOn(asterisk, l, owners.GetValueOrDefault(l.Start.CallId), channels)).ToList();
        var liveIds = live.Select(l => l.Start.CallId).ToHashSet();
        foreach (var stale in registry.Live.Where(c => c.Asterisk == asterisk && !liveIds.Contains(c.CallId)).ToList())
        {
            // Closed elsewhere while the stream was down (the sweeper, the API): what still rings or talks is hung up.
            stale.Work.Post(() => ending.FinishAsync(stale, stale.Peer is null ? DoorCallOutcome.RangOut : DoorCallOutcome.AnswererHungUp));
        }
        foreach (var snapshot in live)
        {
            var call = registry.ByCall(snapshot.Start.CallId);
            if (call is null)
            {
                if (channels.ContainsKey(snapshot.AsteriskCallId) && !mine.Contains(snapshot.AsteriskCallId)) continue; // another replica's call
                // Taken over by another replica while this one was away (its channels stay in this application).
                if (owners.TryGetValue(snapshot.Start.CallId, out var owner) && owner.Application != leases.Application) continue;
                call = Adopted(asterisk, snapshot);
                if (call is null) continue; // its StasisStart arrived meanwhile: handled there
                logger.LogInformation("Call {CallId} taken over after a reconnect ({Status})", call.CallId, snapshot.Status);
            }
            var taken = call;
            taken.Work.Post(() => TakeOverAsync(taken, snapshot, channels, redialRinging: false));
        }
    }

    /// <summary>
    /// Takes over a call of another replica whose lease ran out (<see cref="CallTakeover"/>, which won its ownership):
    /// as after a reconnect, except that the phones still ringing are rung again from this replica. Their legs are in
    /// the other replica's application, which would get their answer; the door keeps ringing meanwhile. A connected
    /// call keeps its bridge. Every PJSIP channel's events reach this replica through its endpoint subscription.
    /// </summary>
    public async Task TakeOverFromAsync(Guid callId, string previousOwner, string asteriskName, CancellationToken ct)
    {
        if (registry.ByCall(callId) is not null) return;
        if (asterisks.Named(asteriskName) is not { } asterisk) return; // not an Asterisk of this replica (the query asks only for its own)
        DoorCallSnapshot? snapshot;
        await using (var scope = scopes.CreateAsyncScope())
        {
            snapshot = (await scope.ServiceProvider.GetRequiredService<DoorCallService>().LiveCallsAsync(ct)).FirstOrDefault(l => l.Start.CallId == callId);
        }
        if (snapshot is null) return; // it ended meanwhile
        var call = NewCall(asterisk, snapshot);
        // The take-over is the call's first step, and Asterisk's channels are read in it: an event of the call that
        // arrives from now on (the door hanging up) is queued after it and finds the call as it was taken over.
        call.Work.Post(async () =>
        {
            var channels = (await call.Asterisk.Client.ListChannelsAsync(CancellationToken.None)).ToDictionary(c => c.Id);
            await TakeOverAsync(call, snapshot, channels, redialRinging: true);
        });
        if (!Register(call)) return;
        logger.LogWarning("Call {CallId} taken over from {Previous}, whose control lease ran out ({Status})", callId, previousOwner, snapshot.Status);
    }

    /// <summary>
    /// Whether a live call is on <paramref name="asterisk"/>: its owner row says so; a call with none (or one recorded
    /// before Asterisks had names) is on it when it is the only Asterisk, or when its door's channel is there.
    /// </summary>
    private bool IsOn(AsteriskServer asterisk, DoorCallSnapshot call, DoorCallOwner? owner, IReadOnlyDictionary<string, AriChannel> channels) =>
        owner is { Asterisk: not "" } ? string.Equals(owner.Asterisk, asterisk.Name, StringComparison.OrdinalIgnoreCase)
        : asterisks.All.Count == 1 || channels.ContainsKey(call.AsteriskCallId);

    private DoorCall? Adopted(AsteriskServer asterisk, DoorCallSnapshot snapshot)
    {
        var call = NewCall(asterisk, snapshot);
        return Register(call) ? call : null;
    }

    private DoorCall NewCall(AsteriskServer asterisk, DoorCallSnapshot snapshot) =>
        new(asterisk, snapshot.AsteriskCallId, "", snapshot.Start.DoorSipUsername, "", snapshot.StartedAt, loggers.CreateLogger<DoorCall>(), leases.StillControlsAsync)
        {
            Start = snapshot.Start, AnsweredAt = snapshot.AnsweredAt, AppAnswered = snapshot.Status == CallStatuses.Answered,
        };

    /// <returns>False when the door's channel is controlled already (its StasisStart arrived meanwhile): the call takes no step.</returns>
    private bool Register(DoorCall call)
    {
        if (!registry.TryAddDoor(call))
        {
            call.Finished = true;
            call.Work.Complete();
            return false;
        }
        registry.AddCall(call);
        return true;
    }

    private async Task TakeOverAsync(DoorCall call, DoorCallSnapshot snapshot, IReadOnlyDictionary<string, AriChannel> channels, bool redialRinging)
    {
        if (call.Finished) return;
        var answered = snapshot.Status == CallStatuses.Answered;
        var doorGone = !channels.ContainsKey(snapshot.AsteriskCallId);
        foreach (var leg in call.Legs.Keys.Where(l => !channels.ContainsKey(l)).ToList())
        {
            call.Legs.Remove(leg);
            registry.RemoveChannel(leg);
        }
        var legPrefix = $"{call.DoorChannelId}-leg-";
        foreach (var channel in channels.Values.Where(c => c.Id.StartsWith(legPrefix, StringComparison.Ordinal)))
        {
            registry.AddChannel(channel.Id, call);
            if (int.TryParse(channel.Id[legPrefix.Length..], out var n)) call.LegsOriginated = Math.Max(call.LegsOriginated, n);
            if (channel.State == "Up" && answered) call.Peer = channel.Id;
            else if (redialRinging && !doorGone)
            {
                // Its answer would go to the other replica's application: hung up, its phone rung again from here.
                registry.RemoveChannel(channel.Id);
                await call.Asterisk.TryAsync(a => a.HangupAsync(channel.Id, AriHangupReasons.Normal, CancellationToken.None), $"hang up leg {channel.Id} of a call taken over");
            }
            else if (!call.Legs.ContainsKey(channel.Id))
            {
                var endpoint = EndpointOf(channel);
                call.Legs[channel.Id] = endpoint;
                call.Dials[endpoint] = call.Dials.GetValueOrDefault(endpoint) + 1;
            }
        }
        if (answered && call.Peer is null
            && channels.Values.FirstOrDefault(c => c.Dialplan?.Exten == call.CallId.ToString("N"))?.Id is { } liveKitLeg)
        {
            call.Peer = liveKitLeg;
            registry.AddChannel(liveKitLeg, call);
        }
        if (doorGone)
        {
            // The door left unseen: its phones still ringing, or the one it talked to, are hung up with the call.
            var outcome = answered ? DoorCallOutcome.DoorHungUp : time.GetUtcNow() >= snapshot.Start.ExpiresAt ? DoorCallOutcome.RangOut : DoorCallOutcome.DoorHungUp;
            await ending.FinishAsync(call, outcome);
            return;
        }
        if (call.Peer is not null)
        {
            call.Timer?.Dispose();
            if (!channels.ContainsKey(call.Peer)) await ending.FinishAsync(call, DoorCallOutcome.AnswererHungUp);
            return;
        }
        if (answered)
        {
            // An app answered but LiveKit's leg never arrived while CallApi was away.
            await ending.FinishAsync(call, DoorCallOutcome.BridgeFailed);
            return;
        }
        ending.StartRingTimer(call);
        await legs.DialAllAsync(call);
    }

    /// <summary>The endpoint of a PJSIP channel named <c>PJSIP/{endpoint}-{sequence}</c>.</summary>
    private static string EndpointOf(AriChannel channel) =>
        channel.Name is { } name && name.StartsWith("PJSIP/", StringComparison.Ordinal) && name.LastIndexOf('-') is var dash and > 6
            ? name[6..dash] : channel.Name ?? channel.Id;
}
