using Neolia.Contracts;
using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// After the event stream (re)connected: the calls the database says are live are matched with Asterisk's channels.
/// A door channel that is gone ended unseen (any replica may say so: the end is one conditional move); one that is in
/// this replica's application is taken over (legs, peer, remaining ring time); one in another replica's application
/// is that replica's. Each call's recovery is a step of its own, in its order with the call's events.
/// </summary>
internal sealed class CallRecovery(DoorCallRegistry registry, AriCommands ari, SipLegs legs, DoorCallEnding ending,
    IServiceScopeFactory scopes, TimeProvider time, ILoggerFactory loggers, ILogger<CallRecovery> logger)
{
    public async Task RecoverAsync(CancellationToken ct)
    {
        // The database first: a call another replica records meanwhile has its channel in the list that follows, so it
        // is never taken for one whose door is gone.
        IReadOnlyList<DoorCallSnapshot> live;
        await using (var scope = scopes.CreateAsyncScope())
        {
            live = await scope.ServiceProvider.GetRequiredService<DoorCallService>().LiveCallsAsync(ct);
        }
        var channels = (await ari.Client.ListChannelsAsync(ct)).ToDictionary(c => c.Id);
        var mine = await ari.Client.ApplicationChannelsAsync(ct);
        var liveIds = live.Select(l => l.Start.CallId).ToHashSet();
        foreach (var stale in registry.Live.Where(c => !liveIds.Contains(c.CallId)).ToList())
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
                call = new DoorCall(snapshot.AsteriskCallId, "", snapshot.Start.DoorSipUsername, "", snapshot.StartedAt, loggers.CreateLogger<DoorCall>())
                {
                    Start = snapshot.Start, AnsweredAt = snapshot.AnsweredAt, AppAnswered = snapshot.Status == CallStatuses.Answered,
                };
                if (!registry.TryAddDoor(call)) continue; // its StasisStart arrived meanwhile: handled there
                registry.AddCall(call);
                logger.LogInformation("Call {CallId} taken over after a reconnect ({Status})", call.CallId, snapshot.Status);
            }
            var taken = call;
            taken.Work.Post(() => TakeOverAsync(taken, snapshot, channels));
        }
    }

    private async Task TakeOverAsync(DoorCall call, DoorCallSnapshot snapshot, IReadOnlyDictionary<string, AriChannel> channels)
    {
        if (call.Finished) return;
        var answered = snapshot.Status == CallStatuses.Answered;
        if (!channels.ContainsKey(snapshot.AsteriskCallId))
        {
            var outcome = answered ? DoorCallOutcome.DoorHungUp : time.GetUtcNow() >= snapshot.Start.ExpiresAt ? DoorCallOutcome.RangOut : DoorCallOutcome.DoorHungUp;
            await ending.FinishAsync(call, outcome);
            return;
        }
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
