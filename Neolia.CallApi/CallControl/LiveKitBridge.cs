using Microsoft.Extensions.Options;
using Neolia.CallApi.Calls;
using Neolia.CallApi.LiveKit;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// An app answered: the door's audio joins the call's LiveKit room. LiveKit SIP is asked to call Asterisk at the
/// call's id (CreateSIPParticipant through the outbound trunk CallApi keeps); its channel enters the application
/// (offered by <c>StasisBroadcast(…,livekit:&lt;call id&gt;)</c>, claimed by this replica: <see cref="DoorCallClaims"/>) and is bridged with the door. No leg in time: the call fails (503).
/// </summary>
internal sealed class LiveKitBridge(IServiceProvider services, DoorBridge bridge, DoorCallEnding ending,
    IOptions<CallControlOptions> options, TimeProvider time, ILogger<LiveKitBridge> logger)
{
    /// <summary>The first StasisStart argument of the dialplan's [neolia-livekit].</summary>
    public const string LiveKitArgument = "livekit";

    /// <summary>The outbound trunk towards each Asterisk (by its name), once found or created.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _trunkIds = new(StringComparer.OrdinalIgnoreCase);

    public async Task OnAppAnsweredAsync(DoorCall call)
    {
        if (call.Finished || call.IsAnswered) return;
        call.AppAnswered = true;
        call.AnsweredAt = time.GetUtcNow();
        call.Timer?.Dispose();
        await ending.HangUpLegsAsync(call);
        // Outside the call's steps: LiveKit SIP's INVITE reaches Asterisk (and its StasisStart the call) while LiveKit answers.
        _ = InviteAsync(call);
    }

    private async Task InviteAsync(DoorCall call)
    {
        var o = options.Value;
        string? error;
        try
        {
            var sip = services.GetRequiredService<SipClient>();
            var trunk = await TrunkAsync(sip, o, call.Asterisk);
            if (trunk is null) error = $"no LiveKit SIP trunk to Asterisk {call.Asterisk.Name} (its LiveKitTrunkAddress unset, or LiveKit unreachable)";
            else
            {
                var participant = await sip.CreateSIPParticipantAsync(new CreateSipParticipantRequest
                {
                    SipTrunkId = trunk,
                    SipCallTo = call.CallId.ToString("N"),
                    RoomName = call.Start!.Room,
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
        call.Work.Post(async () =>
        {
            if (call.Finished || call.Peer is not null) return;
            logger.LogWarning("Call {CallId}: the door could not be bridged into room {Room}: {Error}", call.CallId, call.Start!.Room, error);
            await ending.FinishAsync(call, DoorCallOutcome.BridgeFailed);
        });
    }

    private async Task<string?> TrunkAsync(SipClient sip, CallControlOptions o, AsteriskServer asterisk)
    {
        if (_trunkIds.TryGetValue(asterisk.Name, out var known)) return known;
        var id = await EnsureTrunkAsync(sip, o, asterisk.Options);
        if (id is not null) _trunkIds[asterisk.Name] = id;
        return id;
    }

    /// <summary>
    /// The outbound trunk towards one Asterisk that LiveKit SIP dials through, found by name or created (idempotent at
    /// each start). One per Asterisk, for every replica: named after the applications' prefix and the Asterisk, so
    /// LiveKit's leg of a call reaches the Asterisk the door is on.
    /// </summary>
    private static async Task<string?> EnsureTrunkAsync(SipClient sip, CallControlOptions o, AsteriskServerOptions asterisk)
    {
        if (string.IsNullOrWhiteSpace(asterisk.LiveKitTrunkAddress)) return null;
        var name = $"neolia-{o.StasisApplication}-{asterisk.Name}";
        var existing = await sip.ListSIPOutboundTrunkAsync();
        if (existing.Value?.FirstOrDefault(t => t.Name == name)?.SipTrunkId is { } id) return id;
        if (!existing.Succeeded) return null;
        var created = await sip.CreateSIPOutboundTrunkAsync(new SipOutboundTrunkInfo
        {
            Name = name, Address = asterisk.LiveKitTrunkAddress, Numbers = [o.LiveKitTrunkUsername!],
            AuthUsername = o.LiveKitTrunkUsername, AuthPassword = o.LiveKitTrunkPassword,
        });
        return created.Value?.SipTrunkId;
    }

    /// <summary>LiveKit SIP's channel arrived for the call: answered and bridged with the door.</summary>
    public async Task OnLegArrivedAsync(DoorCall call, string channelId)
    {
        if (call.Finished || !call.AppAnswered || call.Peer is not null)
        {
            await call.Asterisk.TryAsync(a => a.HangupAsync(channelId, AriHangupReasons.Normal, CancellationToken.None), "hang up a LiveKit leg of no call");
            return;
        }
        if (!await call.Asterisk.TryAsync(a => a.AnswerAsync(channelId, CancellationToken.None), "answer LiveKit SIP's leg"))
        {
            await ending.FinishAsync(call, DoorCallOutcome.BridgeFailed);
            return;
        }
        await bridge.ConnectAsync(call, channelId);
        logger.LogInformation("Call {CallId}: the door is bridged into room {Room} as {Identity}", call.CallId, call.Start!.Room, LiveKitTokens.DoorIdentity(call.Start.DeviceId));
    }
}
