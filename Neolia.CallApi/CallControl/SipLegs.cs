using Neolia.Contracts;
using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// The apartment's SIP devices (indoor monitors, residents' softphones) during a door call: each registered one is
/// dialled, one that registers while the door rings is dialled then, and a device's answer is final for the call: a
/// phone that rang or declined (486/603) is not dialled again, and a resident's decline counts as theirs in the app.
/// The first answer wins and is bridged with the door.
/// </summary>
internal sealed class SipLegs(DoorCallRegistry registry, DoorBridge bridge, DoorCallEnding ending,
    IServiceScopeFactory scopes, TimeProvider time, ILogger<SipLegs> logger)
{
    /// <summary>The first argument of an originated leg's appArgs (its StasisStart once it answers).</summary>
    public const string LegArgument = "leg";

    /// <summary>Dials without a state check at most this often per device and call (once, and once more when it registers).</summary>
    private const int MaxDialsPerDevice = 2;

    public async Task DialAllAsync(DoorCall call)
    {
        foreach (var endpoint in call.Start!.SipEndpoints!) await DialIfReachableAsync(call, endpoint);
    }

    private async Task DialIfReachableAsync(DoorCall call, string endpoint)
    {
        try
        {
            var state = await call.Asterisk.Client.GetEndpointAsync("PJSIP", endpoint, CancellationToken.None);
            if (state?.State is null or "offline")
            {
                logger.LogDebug("SIP endpoint {Endpoint} is {State}: dialled when it registers", endpoint, state?.State ?? "unknown to Asterisk");
                return;
            }
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e))
        {
            logger.LogWarning("State of SIP endpoint {Endpoint} unknown ({Error}): not dialled", endpoint, e.Message);
            return;
        }
        await DialAsync(call, endpoint);
    }

    private async Task DialAsync(DoorCall call, string endpoint)
    {
        if (call.IsAnswered || call.Finished || call.Answered.Contains(endpoint) || call.Legs.ContainsValue(endpoint)) return;
        var dials = call.Dials.GetValueOrDefault(endpoint);
        if (dials >= MaxDialsPerDevice) return;
        var remaining = (int)Math.Ceiling((call.Start!.ExpiresAt - time.GetUtcNow()).TotalSeconds);
        if (remaining <= 0) return;
        var legId = $"{call.DoorChannelId}-leg-{++call.LegsOriginated}";
        call.Dials[endpoint] = dials + 1;
        call.Legs[legId] = endpoint;
        // Known before the request: the leg's first event may arrive before Asterisk's answer to it.
        registry.AddChannel(legId, call);
        try
        {
            await call.Asterisk.Client.OriginateAsync(legId, $"PJSIP/{endpoint}", $"{LegArgument},{call.DoorChannelId},{endpoint}", call.CallerId, remaining, call.DoorChannelId, CancellationToken.None);
            logger.LogInformation("Call {CallId} dials SIP endpoint {Endpoint} (channel {Channel})", call.CallId, endpoint, legId);
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e))
        {
            call.Legs.Remove(legId);
            registry.RemoveChannel(legId);
            logger.LogWarning("Call {CallId} could not dial {Endpoint}: {Error}", call.CallId, endpoint, e.Message);
        }
    }

    /// <summary>A device of the call's apartment registered (or became reachable): dialled if it has not answered yet.</summary>
    public async Task OnEndpointOnlineAsync(DoorCall call, string endpoint)
    {
        if (call.Finished || call.IsAnswered || call.Answered.Contains(endpoint) || call.Legs.ContainsValue(endpoint)) return;
        logger.LogInformation("SIP endpoint {Endpoint} registered while call {CallId} rings", endpoint, call.CallId);
        await DialAsync(call, endpoint);
    }

    /// <summary>The leg's phone is ringing (180): whatever it does next is that device's answer for this call.</summary>
    public Task OnRingingAsync(DoorCall call, string legId)
    {
        if (call.Legs.ContainsKey(legId)) call.RangLegs.Add(legId);
        return Task.CompletedTask;
    }

    public async Task OnAnsweredAsync(DoorCall call, string legId)
    {
        if (call.Finished || !call.Legs.Remove(legId, out var endpoint))
        {
            await call.Asterisk.TryAsync(a => a.HangupAsync(legId, AriHangupReasons.Normal, CancellationToken.None), "hang up a leg of no call");
            return;
        }
        call.Answered.Add(endpoint);
        var won = false;
        if (!call.IsAnswered)
        {
            await using var scope = scopes.CreateAsyncScope();
            won = await scope.ServiceProvider.GetRequiredService<CallLifecycle>().SipAnsweredAsync(call.CallId, endpoint, CancellationToken.None);
        }
        if (!won)
        {
            await call.Asterisk.TryAsync(a => a.HangupAsync(legId, AriHangupReasons.AnsweredElsewhere, CancellationToken.None), "hang up a late answer");
            return;
        }
        call.Peer = legId; // answered: the other legs hear "answered elsewhere"
        await ending.HangUpLegsAsync(call);
        await bridge.ConnectAsync(call, legId);
    }

    /// <summary>A leg ended without answering: the device's final word, unless it never reached the phone.</summary>
    public async Task OnGoneAsync(DoorCall call, string legId, int cause)
    {
        if (!call.Legs.Remove(legId, out var endpoint)) return;
        var declined = cause is AriCauses.UserBusy or AriCauses.CallRejected;
        if (declined || call.RangLegs.Contains(legId)) call.Answered.Add(endpoint);
        call.LegCauses.Add(cause);
        if (declined)
        {
            await using var scope = scopes.CreateAsyncScope();
            var status = await scope.ServiceProvider.GetRequiredService<CallLifecycle>().SipDeclinedAsync(call.CallId, endpoint, CancellationToken.None);
            logger.LogInformation("Call {CallId}: SIP endpoint {Endpoint} declined (cause {Cause}); the call is {Status}", call.CallId, endpoint, cause, status ?? "unchanged (no resident's device)");
            if (call.Finished || status is CallStatuses.Declined) return; // the lifecycle closed it: the door hears 486 through CallClosed
        }
        // Nobody in the app can answer and no SIP phone rings any more: the door hears why.
        if (call.Finished || call.IsAnswered || call.Legs.Count > 0 || call.Start!.Residents > 0) return;
        if (call.LegCauses.Any(c => c is AriCauses.UserBusy or AriCauses.CallRejected))
            await ending.FinishAsync(call, DoorCallOutcome.Declined);
        else if (call.LegCauses.All(c => c is not (AriCauses.NormalClearing or AriCauses.NoAnswer)))
            await ending.FinishAsync(call, DoorCallOutcome.NoDeviceReachable);
    }
}
