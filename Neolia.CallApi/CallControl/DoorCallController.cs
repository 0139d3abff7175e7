using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// Owns the door calls Asterisk hands to the Stasis application: creates the call through <see cref="DoorCallService"/>
/// (as the webhook does), keeps the door ringing for the whole ring time, dials every registered SIP endpoint of the
/// apartment (and those that register during the ring), lets the first answer win (a SIP phone's, bridged at once, or
/// an app's, bridged into the call's LiveKit room through LiveKit SIP), sends the door code, and hangs the door up
/// with the cause that gives it the right SIP answer. It is the one owner of the ring timeout of these calls.
/// </summary>
/// <remarks>
/// Everything runs one step at a time behind one gate (events in Asterisk's order, API requests in between), so the
/// in-memory state needs no other locking; the database still decides who answered first.
/// </remarks>
public sealed class DoorCallController(
    IServiceProvider services,
    IServiceScopeFactory scopes,
    IOptions<CallControlOptions> options,
    TimeProvider time,
    ILogger<DoorCallController> logger) : IDoorCallControl
{
    /// <summary>First argument of Stasis() / appArgs: what kind of channel enters the application.</summary>
    public const string DoorArgument = "door", LegArgument = "leg", LiveKitArgument = "livekit";

    /// <summary>
    /// The global variable the dialplan's fallback dials when no ARI client is connected (extensions.conf, [neolia-door]).
    /// Not AstDB: Asterisk refuses DB() writes from ARI (a "dangerous" function).
    /// </summary>
    public static string FallbackDialVariable(string tenant, string apartment) => $"NEOLIA_DIAL_{tenant}_{apartment}";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, DoorCall> _byDoor = [];
    private readonly Dictionary<Guid, DoorCall> _byCall = [];
    private readonly Dictionary<string, DoorCall> _byLeg = [];
    private string? _trunkId;

    private AriClient Ari => services.GetRequiredService<AriClient>();

    /// <summary>True while the event stream is connected: only then does Asterisk hand calls to CallApi.</summary>
    public bool Connected { get; private set; }

    /// <summary>The event stream (re)connected: subscribe to the endpoints' registrations and take the live calls over again.</summary>
    public Task ConnectedAsync(CancellationToken ct) => GatedAsync(async () =>
    {
        Connected = true;
        await Ari.SubscribeToEndpointsAsync("PJSIP", ct);
        await RecoverAsync(ct);
    }, ct);

    public void Disconnected() => Connected = false;

    public Task HandleAsync(AriEvent e, CancellationToken ct) => GatedAsync(() => DispatchAsync(e, ct), ct);

    public void AppAnswered(Guid callId) => Background(() => OnAppAnsweredAsync(callId));

    public void CallClosed(Guid callId, string status) => Background(async () =>
    {
        if (!_byCall.TryGetValue(callId, out var call)) return;
        var (dialStatus, reason, endReason) = status switch
        {
            CallStatuses.Declined => ("BUSY", AriHangupReasons.Busy, (string?)null),
            CallStatuses.Missed => ("NOANSWER", AriHangupReasons.NoAnswer, CallEndReasons.RingTimeout),
            _ => (call.Peer is null ? "CANCEL" : "ANSWER", AriHangupReasons.Normal, null),
        };
        await FinishAsync(call, dialStatus, AriHangupReasons.CauseOf(reason), reason, endReason);
    });

    public async Task<string> SendDoorCodeAsync(Guid callId, CancellationToken ct)
    {
        string? doorChannel = null;
        await GatedAsync(() =>
        {
            if (_byCall.TryGetValue(callId, out var call) && call.Peer is not null && !call.Finished) doorChannel = call.DoorChannelId;
            return Task.CompletedTask;
        }, ct);
        if (doorChannel is null) return DoorOpeningResults.NotSent;

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        db.TenantScope = TenantScope.All;
        var protectedCode = await db.Calls.Where(c => c.Id == callId)
            .Select(c => db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.DoorCodeProtected).First()).SingleAsync(ct);
        string code;
        try
        {
            code = scope.ServiceProvider.GetRequiredService<DeviceSecrets>().DoorCodeOf(protectedCode);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            // The Data Protection key that encrypted it is gone (key ring lost): never send another code in its place.
            logger.LogWarning("Door code of call {CallId} cannot be decrypted ({Error}): set the door's code again", callId, e.Message);
            return DoorOpeningResults.Failed;
        }
        try
        {
            await Ari.SendDtmfAsync(doorChannel, code, ct);
            logger.LogInformation("Door code sent on channel {Channel} of call {CallId}", doorChannel, callId);
            return DoorOpeningResults.Sent;
        }
        catch (Exception e) when (e is AriException or HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("Door code for call {CallId} not sent: {Error}", callId, e.Message);
            return DoorOpeningResults.Failed;
        }
    }

    private async Task DispatchAsync(AriEvent e, CancellationToken ct)
    {
        switch (e.Type)
        {
            case "StasisStart" when e.Channel is { } channel && e.Args is [var kind, ..]:
                if (kind == DoorArgument && e.Args is [_, var tenant, var door, var exten, ..]) await OnDoorAsync(channel, tenant, door, exten, ct);
                else if (kind == LegArgument && e.Args is [_, _, var endpoint, ..]) await OnLegAnsweredAsync(channel, endpoint, ct);
                else if (kind == LiveKitArgument && e.Args is [_, var call, ..]) await OnLiveKitLegAsync(channel, call, ct);
                else logger.LogWarning("Channel {Channel} entered the application with unknown arguments {Args}", channel.Id, string.Join(',', e.Args));
                break;
            case "ChannelDestroyed" when e.Channel is { } channel:
                await OnChannelGoneAsync(channel.Id, e.Cause ?? 16, ct);
                break;
            case "ContactStatusChange" when e.ContactInfo?.ContactStatus is "Reachable" or "NonQualified" && e.Endpoint?.Resource is { } resource:
                await OnEndpointOnlineAsync(resource, ct);
                break;
            case "EndpointStateChange" when e.Endpoint is { State: "online", Resource: { } resource }:
                await OnEndpointOnlineAsync(resource, ct);
                break;
            case "ChannelDtmfReceived":
                logger.LogDebug("DTMF {Digit} from channel {Channel}", e.Digit, e.Channel?.Id);
                break;
        }
    }

    private async Task OnDoorAsync(AriChannel channel, string tenant, string door, string exten, CancellationToken ct)
    {
        if (_byDoor.ContainsKey(channel.Id)) return;
        await TryAsync(() => Ari.RingAsync(channel.Id, ct), "ring the door");
        DoorCallStart start;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            start = await scope.ServiceProvider.GetRequiredService<DoorCallService>()
                .StartAsync(new DoorRing(channel.Id, tenant, door, exten, CallControls.Ari), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The door must ring whatever is down: the dialplan after Stasis() rings the apartment's SIP phones.
            logger.LogWarning(e, "Door call on channel {Channel} could not be created; handing it back to the dialplan's fallback", channel.Id);
            await TryAsync(() => Ari.ContinueAsync(channel.Id, ct), "hand the door back to the dialplan");
            return;
        }
        if (!start.Started)
        {
            var reason = start.RejectReason == DoorCallService.RejectReasons.UnknownApartment ? AriHangupReasons.Unallocated : AriHangupReasons.Rejected;
            await TryAsync(() => Ari.HangupAsync(channel.Id, reason, ct), "refuse the door call");
            return;
        }

        var call = Track(new DoorCall(channel.Id, start, time.GetUtcNow()));
        if (start.DialString.Length > 0)
        {
            // Remembered for the dialplan's fallback, should CallApi be away for the next visitor.
            await TryAsync(() => Ari.SetGlobalVariableAsync(FallbackDialVariable(tenant, exten), start.DialString, ct), "remember the dial string");
        }
        logger.LogInformation("Door call {CallId} on channel {Channel}: {Endpoints} SIP endpoint(s), {Residents} resident(s), rings until {ExpiresAt:O}",
            call.CallId, channel.Id, start.SipEndpoints!.Count, start.Residents, start.ExpiresAt);
        foreach (var endpoint in start.SipEndpoints!) await DialIfRegisteredAsync(call, endpoint, ct);
    }

    private DoorCall Track(DoorCall call)
    {
        _byDoor[call.DoorChannelId] = call;
        _byCall[call.CallId] = call;
        var remaining = call.Start.ExpiresAt - time.GetUtcNow();
        call.Timer = time.CreateTimer(_ => Background(() => OnRingTimeoutAsync(call)), null, remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining, Timeout.InfiniteTimeSpan);
        return call;
    }

    private async Task DialIfRegisteredAsync(DoorCall call, string endpoint, CancellationToken ct)
    {
        try
        {
            var state = await Ari.GetEndpointAsync("PJSIP", endpoint, ct);
            if (state?.State != "online")
            {
                logger.LogDebug("SIP endpoint {Endpoint} is {State}: dialled when it registers", endpoint, state?.State ?? "unknown to Asterisk");
                return;
            }
        }
        catch (Exception e) when (e is AriException or HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("State of SIP endpoint {Endpoint} unknown ({Error}): not dialled", endpoint, e.Message);
            return;
        }
        await DialAsync(call, endpoint, ct);
    }

    private async Task DialAsync(DoorCall call, string endpoint, CancellationToken ct)
    {
        if (call.Answered || call.Finished || call.Legs.ContainsValue(endpoint)) return;
        var remaining = (int)Math.Ceiling((call.Start.ExpiresAt - time.GetUtcNow()).TotalSeconds);
        if (remaining <= 0) return;
        var legId = $"{call.DoorChannelId}-leg-{++call.LegsOriginated}";
        call.Legs[legId] = endpoint;
        _byLeg[legId] = call;
        try
        {
            await Ari.OriginateAsync(legId, $"PJSIP/{endpoint}", $"{LegArgument},{call.DoorChannelId},{endpoint}", call.CallerId, remaining, call.DoorChannelId, ct);
            logger.LogInformation("Call {CallId} dials SIP endpoint {Endpoint} (channel {Channel})", call.CallId, endpoint, legId);
        }
        catch (Exception e) when (e is AriException or HttpRequestException or TaskCanceledException)
        {
            call.Legs.Remove(legId);
            _byLeg.Remove(legId);
            logger.LogWarning("Call {CallId} could not dial {Endpoint}: {Error}", call.CallId, endpoint, e.Message);
        }
    }

    private async Task OnEndpointOnlineAsync(string endpoint, CancellationToken ct)
    {
        foreach (var call in _byCall.Values.Where(c => !c.Answered && !c.Finished && c.Start.SipEndpoints!.Contains(endpoint)).ToList())
        {
            logger.LogInformation("SIP endpoint {Endpoint} registered while call {CallId} rings", endpoint, call.CallId);
            await DialAsync(call, endpoint, ct);
        }
    }

    private async Task OnLegAnsweredAsync(AriChannel leg, string endpoint, CancellationToken ct)
    {
        if (!_byLeg.TryGetValue(leg.Id, out var call) || call.Finished)
        {
            await TryAsync(() => Ari.HangupAsync(leg.Id, AriHangupReasons.Normal, ct), "hang up a leg of no call");
            return;
        }
        bool won = false;
        if (!call.Answered)
        {
            await using var scope = scopes.CreateAsyncScope();
            won = await scope.ServiceProvider.GetRequiredService<CallLifecycle>().SipAnsweredAsync(call.CallId, endpoint, ct);
        }
        if (!won)
        {
            call.Legs.Remove(leg.Id);
            await TryAsync(() => Ari.HangupAsync(leg.Id, AriHangupReasons.AnsweredElsewhere, ct), "hang up a late answer");
            return;
        }
        call.Legs.Remove(leg.Id);
        await HangUpLegsAsync(call, ct);
        await ConnectAsync(call, leg.Id, ct);
    }

    private async Task OnAppAnsweredAsync(Guid callId)
    {
        if (!_byCall.TryGetValue(callId, out var call) || call.Finished || call.Answered) return;
        call.AppAnswered = true;
        call.AnsweredAt = time.GetUtcNow();
        await HangUpLegsAsync(call, CancellationToken.None);
        // Not behind the gate: LiveKit SIP's INVITE reaches Asterisk (and its StasisStart reaches us) while LiveKit answers.
        _ = InviteLiveKitAsync(call);
    }

    private async Task InviteLiveKitAsync(DoorCall call)
    {
        var o = options.Value;
        string? error = null;
        try
        {
            var sip = services.GetRequiredService<SipClient>();
            var trunk = _trunkId ??= await EnsureTrunkAsync(sip, o);
            if (trunk is null) error = "no LiveKit SIP trunk (CallControl:LiveKitTrunkAddress unset or LiveKit unreachable)";
            else
            {
                var participant = await sip.CreateSIPParticipantAsync(new CreateSipParticipantRequest
                {
                    SipTrunkId = trunk,
                    SipCallTo = call.CallId.ToString("N"),
                    RoomName = call.Start.Room,
                    ParticipantIdentity = LiveKitTokens.DoorIdentity(call.Start.DeviceId),
                    ParticipantName = call.Start.DeviceName,
                });
                error = participant.Error;
            }
        }
        catch (Exception e)
        {
            error = e.Message;
        }
        if (error is null)
        {
            await Task.Delay(o.LiveKitJoinTimeout, time);
            error = "LiveKit SIP's leg did not reach Asterisk in time";
        }
        await GatedAsync(async () =>
        {
            if (call.Finished || call.Peer is not null) return;
            logger.LogWarning("Call {CallId}: the door could not be bridged into room {Room}: {Error}", call.CallId, call.Start.Room, error);
            await FinishAsync(call, "CONGESTION", AriHangupReasons.CauseOf(AriHangupReasons.Congestion), AriHangupReasons.Congestion, null);
        }, CancellationToken.None);
    }

    /// <summary>The outbound trunk towards Asterisk that LiveKit SIP dials through, found by name or created (idempotent at each start).</summary>
    private async Task<string?> EnsureTrunkAsync(SipClient sip, CallControlOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.LiveKitTrunkAddress)) return null;
        var name = $"neolia-{o.StasisApplication}";
        var existing = await sip.ListSIPOutboundTrunkAsync();
        if (existing.Value?.FirstOrDefault(t => t.Name == name)?.SipTrunkId is { } id) return id;
        if (!existing.Succeeded) return null;
        var created = await sip.CreateSIPOutboundTrunkAsync(new SipOutboundTrunkInfo
        {
            Name = name, Address = o.LiveKitTrunkAddress, Numbers = [o.LiveKitTrunkUsername!],
            AuthUsername = o.LiveKitTrunkUsername, AuthPassword = o.LiveKitTrunkPassword,
        });
        return created.Value?.SipTrunkId;
    }

    private async Task OnLiveKitLegAsync(AriChannel channel, string callArgument, CancellationToken ct)
    {
        if (!Guid.TryParseExact(callArgument, "N", out var callId) || !_byCall.TryGetValue(callId, out var call)
            || call.Finished || !call.AppAnswered || call.Peer is not null)
        {
            await TryAsync(() => Ari.HangupAsync(channel.Id, AriHangupReasons.Normal, ct), "hang up a LiveKit leg of no call");
            return;
        }
        _byLeg[channel.Id] = call;
        await Ari.AnswerAsync(channel.Id, ct);
        await ConnectAsync(call, channel.Id, ct);
        logger.LogInformation("Call {CallId}: the door is bridged into room {Room} as {Identity}", call.CallId, call.Start.Room, LiveKitTokens.DoorIdentity(call.Start.DeviceId));
    }

    /// <summary>Answers the door and bridges it with the channel that won.</summary>
    private async Task ConnectAsync(DoorCall call, string peer, CancellationToken ct)
    {
        call.Peer = peer;
        call.AnsweredAt ??= time.GetUtcNow();
        call.Timer?.Dispose();
        _byLeg[peer] = call;
        try
        {
            await Ari.AnswerAsync(call.DoorChannelId, ct);
            await Ari.CreateBridgeAsync(call.BridgeId, ct);
            await Ari.AddToBridgeAsync(call.BridgeId, [call.DoorChannelId, peer], ct);
        }
        catch (Exception e) when (e is AriException or HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("Call {CallId}: bridging the door with {Peer} failed: {Error}", call.CallId, peer, e.Message);
            await FinishAsync(call, "CONGESTION", AriHangupReasons.CauseOf(AriHangupReasons.Congestion), AriHangupReasons.Congestion, null);
        }
    }

    private async Task OnChannelGoneAsync(string channelId, int cause, CancellationToken ct)
    {
        if (_byDoor.TryGetValue(channelId, out var call))
        {
            // The visitor hung up (or Asterisk did): ringing → cancelled, connected → ended.
            await FinishAsync(call, call.Answered ? "ANSWER" : "CANCEL", cause, doorReason: null, endReason: null);
            return;
        }
        if (!_byLeg.Remove(channelId, out call) || call.Finished) return;
        if (channelId == call.Peer)
        {
            await FinishAsync(call, "ANSWER", cause, AriHangupReasons.Normal, null);
            return;
        }
        if (!call.Legs.Remove(channelId)) return;
        call.LegCauses.Add(cause);
        // Nobody in the app can answer and no SIP phone rings any more: the door hears why.
        if (call.Answered || call.Legs.Count > 0 || call.Start.Residents > 0) return;
        if (call.LegCauses.Any(c => c is 17 or 21))
            await FinishAsync(call, "BUSY", 17, AriHangupReasons.Busy, null);
        else if (call.LegCauses.All(c => c is not (16 or 19)))
            await FinishAsync(call, "CONGESTION", 34, AriHangupReasons.Congestion, null);
    }

    private async Task OnRingTimeoutAsync(DoorCall call)
    {
        if (call.Finished || call.Answered) return;
        logger.LogInformation("Call {CallId} rang out", call.CallId);
        await FinishAsync(call, "NOANSWER", 19, AriHangupReasons.NoAnswer, CallEndReasons.RingTimeout);
    }

    /// <summary>Ends the call once: hangs up what still rings or talks, the door with <paramref name="doorReason"/>, and reports the outcome.</summary>
    private async Task FinishAsync(DoorCall call, string dialStatus, int cause, string? doorReason, string? endReason)
    {
        if (call.Finished) return;
        call.Finished = true;
        call.Timer?.Dispose();
        _byDoor.Remove(call.DoorChannelId);
        _byCall.Remove(call.CallId);
        foreach (var leg in _byLeg.Where(l => l.Value == call).Select(l => l.Key).ToList()) _byLeg.Remove(leg);

        var ct = CancellationToken.None;
        await HangUpLegsAsync(call, ct);
        if (call.Peer is { } peer) await TryAsync(() => Ari.HangupAsync(peer, AriHangupReasons.Normal, ct), "hang up the answerer");
        if (doorReason is not null) await TryAsync(() => Ari.HangupAsync(call.DoorChannelId, doorReason, ct), "hang up the door");
        if (call.Peer is not null) await TryAsync(() => Ari.DestroyBridgeAsync(call.BridgeId, ct), "destroy the bridge");

        var now = time.GetUtcNow();
        var answered = call.AnsweredAt is { } at ? (int)(now - at).TotalSeconds : 0;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<CallLifecycle>().EndFromAsteriskAsync(
                new AsteriskHangup(call.DoorChannelId, dialStatus, answered, (int)(now - call.StartedAt).TotalSeconds, cause.ToString(), endReason), ct);
        }
        catch (Exception e)
        {
            // The sweeper closes the call later if this report is lost.
            logger.LogWarning(e, "The end of call {CallId} ({DialStatus}) could not be recorded", call.CallId, dialStatus);
        }
    }

    private async Task HangUpLegsAsync(DoorCall call, CancellationToken ct)
    {
        foreach (var leg in call.Legs.Keys.ToList())
        {
            call.Legs.Remove(leg);
            await TryAsync(() => Ari.HangupAsync(leg, AriHangupReasons.AnsweredElsewhere, ct), "hang up a ringing leg");
        }
    }

    /// <summary>
    /// After a (re)connection: the calls the database says are live are matched with Asterisk's channels. A door
    /// channel that is gone ended unseen; one that is there is taken over (legs, peer, remaining ring time).
    /// </summary>
    private async Task RecoverAsync(CancellationToken ct)
    {
        var channels = (await Ari.ListChannelsAsync(ct)).ToDictionary(c => c.Id);
        IReadOnlyList<DoorCallSnapshot> live;
        await using (var scope = scopes.CreateAsyncScope())
        {
            live = await scope.ServiceProvider.GetRequiredService<DoorCallService>().LiveCallsAsync(CallControls.Ari, ct);
        }
        foreach (var stale in _byCall.Values.Where(c => live.All(l => l.Start.CallId != c.CallId)).ToList())
        {
            await FinishAsync(stale, stale.Peer is null ? "CANCEL" : "ANSWER", 16, AriHangupReasons.Normal, null);
        }
        foreach (var snapshot in live)
        {
            if (!channels.ContainsKey(snapshot.AsteriskCallId))
            {
                var gone = _byCall.GetValueOrDefault(snapshot.Start.CallId) ?? new DoorCall(snapshot.AsteriskCallId, snapshot.Start, snapshot.StartedAt) { AnsweredAt = snapshot.AnsweredAt };
                var answered = snapshot.Status == CallStatuses.Answered;
                await FinishAsync(gone, answered ? "ANSWER" : time.GetUtcNow() >= snapshot.Start.ExpiresAt ? "NOANSWER" : "CANCEL", 16, null, null);
                continue;
            }
            if (!_byCall.TryGetValue(snapshot.Start.CallId, out var call))
            {
                call = Track(new DoorCall(snapshot.AsteriskCallId, snapshot.Start, snapshot.StartedAt) { AnsweredAt = snapshot.AnsweredAt });
                call.AppAnswered = snapshot.Status == CallStatuses.Answered;
                logger.LogInformation("Call {CallId} taken over after a restart ({Status})", call.CallId, snapshot.Status);
            }
            foreach (var leg in call.Legs.Keys.Where(l => !channels.ContainsKey(l)).ToList()) { call.Legs.Remove(leg); _byLeg.Remove(leg); }
            var legPrefix = $"{call.DoorChannelId}-leg-";
            foreach (var channel in channels.Values.Where(c => c.Id.StartsWith(legPrefix, StringComparison.Ordinal)))
            {
                _byLeg[channel.Id] = call;
                if (int.TryParse(channel.Id[legPrefix.Length..], out var n)) call.LegsOriginated = Math.Max(call.LegsOriginated, n);
                if (channel.State == "Up" && snapshot.Status == CallStatuses.Answered) call.Peer = channel.Id;
                else if (!call.Legs.ContainsKey(channel.Id)) call.Legs[channel.Id] = EndpointOf(channel);
            }
            if (snapshot.Status == CallStatuses.Answered && call.Peer is null
                && channels.Values.FirstOrDefault(c => c.Dialplan?.Exten == call.CallId.ToString("N"))?.Id is { } liveKitLeg)
            {
                call.Peer = liveKitLeg;
                _byLeg[liveKitLeg] = call;
            }
            if (call.Peer is not null) call.Timer?.Dispose();
            if (call.Peer is not null && !channels.ContainsKey(call.Peer))
            {
                await FinishAsync(call, "ANSWER", 16, AriHangupReasons.Normal, null);
                continue;
            }
            if (snapshot.Status == CallStatuses.Answered && call.Peer is null)
            {
                // An app answered but LiveKit's leg never arrived while CallApi was away.
                await FinishAsync(call, "CONGESTION", 34, AriHangupReasons.Congestion, null);
                continue;
            }
            if (!call.Answered) foreach (var endpoint in call.Start.SipEndpoints!) await DialIfRegisteredAsync(call, endpoint, ct);
        }
    }

    /// <summary>The endpoint of a PJSIP channel named <c>PJSIP/{endpoint}-{sequence}</c>.</summary>
    private static string EndpointOf(AriChannel channel) =>
        channel.Name is { } name && name.StartsWith("PJSIP/", StringComparison.Ordinal) && name.LastIndexOf('-') is var dash and > 6
            ? name[6..dash] : channel.Name ?? channel.Id;

    private async Task TryAsync(Func<Task> action, string what)
    {
        try { await action(); }
        catch (Exception e) when (e is AriException or HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("Could not {What}: {Error}", what, e.Message);
        }
    }

    private async Task GatedAsync(Func<Task> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try { await work(); }
        finally { _gate.Release(); }
    }

    private void Background(Func<Task> work) => _ = Task.Run(async () =>
    {
        try { await GatedAsync(work, CancellationToken.None); }
        catch (Exception e) { logger.LogError(e, "Call control step failed"); }
    });
}
