using Microsoft.Extensions.Options;
using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// Where every ARI event and every decision of the API reaches its door call. Each call runs its steps in order on
/// its own queue (<see cref="DoorCall.Work"/>), so calls never wait for each other: a slow ARI request, query or
/// LiveKit call delays only its own call. A flood is shed at the door: at most
/// <see cref="CallControlOptions.MaxCallsInSetup"/> calls are set up at once; a new door call waits for a slot at most
/// <see cref="CallControlOptions.CallSetupQueueTimeout"/>, then goes back to the dialplan, which rings the apartment's
/// SIP devices itself, instead of waiting behind the others for seconds. A decision of the API about a call another
/// replica controls is handed to that replica (<see cref="DoorCallCommands"/>).
/// </summary>
internal sealed class DoorCallRouter(
    DoorCallRegistry registry,
    CallSetupSlots setupSlots,
    DoorCallClaims claims,
    DoorCallCommands commands,
    DoorCallSetup setup,
    SipLegs legs,
    LiveKitBridge liveKit,
    DoorCallEnding ending,
    DoorCodeSender doorCode,
    CallRecovery recovery,
    ControlLeases leases,
    DoorOpeningCalls openings,
    DeviceStatus.QualifyReports qualify,
    IOptions<CallControlOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger<DoorCallRouter> logger) : IDoorCallControl
{
    /// <summary>The event stream to <paramref name="asterisk"/> (re)connected: its live calls are taken over again.</summary>
    public async Task ConnectedAsync(AsteriskServer asterisk, CancellationToken ct)
    {
        asterisk.Connected = true;
        await recovery.RecoverAsync(asterisk, ct);
    }

    public void Disconnected(AsteriskServer asterisk) => asterisk.Connected = false;

    /// <summary>Hands one event to the call it belongs to and returns at once: the event reader never waits for a call.</summary>
    public void Dispatch(AsteriskServer asterisk, AriEvent e)
    {
        switch (e.Type)
        {
            case "CallBroadcast":
                claims.Offered(asterisk, e);
                break;
            case "StasisStart" when e.Channel is { } channel && e.Args is [var kind, ..]:
                if (kind == DoorCallSetup.DoorArgument && e.Args is [_, var tenant, var door, var exten, ..]) Admit(asterisk, channel, tenant, door, exten);
                else if (kind == DoorOpeningCalls.OpeningArgument) openings.OnAnswered(asterisk, channel.Id);
                else if (kind == SipLegs.LegArgument) PostOrHangUp(asterisk, registry.ByChannel(channel.Id), channel.Id, call => legs.OnAnsweredAsync(call, channel.Id));
                else if (kind == LiveKitBridge.LiveKitArgument && e.Args is [_, var callArgument, ..])
                {
                    var call = Guid.TryParseExact(callArgument, "N", out var callId) ? registry.ByCall(callId) : null;
                    PostOrHangUp(asterisk, call, channel.Id, c => liveKit.OnLegArrivedAsync(c, channel.Id));
                }
                else logger.LogWarning("Channel {Channel} entered the application with unknown arguments {Args}", channel.Id, string.Join(',', e.Args));
                break;
            case "ChannelStateChange" when e.Channel is { State: "Ringing" } channel:
                Post(registry.ByChannel(channel.Id), call => legs.OnRingingAsync(call, channel.Id));
                break;
            case "ChannelDestroyed" when e.Channel is { } channel:
                openings.OnGone(channel.Id);
                Post(registry.ByChannel(channel.Id), call => OnChannelGoneAsync(call, channel.Id, e.Cause ?? AriCauses.NormalClearing));
                break;
            case "ContactStatusChange" when e.ContactInfo?.ContactStatus is { } status && e.Endpoint?.Resource is { } resource:
                qualify.Report(resource, status);
                if (status is "Reachable" or "NonQualified") OnEndpointOnline(resource);
                break;
            case "EndpointStateChange" when e.Endpoint is { State: "online", Resource: { } resource }:
                qualify.Report(resource, "Reachable"); // online: a contact of it answers (or is not qualified)
                OnEndpointOnline(resource);
                break;
            case "ChannelDtmfReceived":
                logger.LogDebug("DTMF {Digit} from channel {Channel}", e.Digit, e.Channel?.Id);
                break;
        }
    }

    public void AppAnswered(Guid callId)
    {
        if (registry.ByCall(callId) is { } call) Post(call, liveKit.OnAppAnsweredAsync);
        else commands.HandToOwner(DoorCallCommand.AppAnswered(callId));
    }

    public void CallClosed(Guid callId, string status)
    {
        if (registry.ByCall(callId) is { } call) Post(call, c => ending.FinishAsync(c, DoorAnswers.OutcomeOfClosed(status, c.IsAnswered)));
        else commands.HandToOwner(DoorCallCommand.Closed(callId, status));
    }

    public Task<string> SendDoorCodeAsync(Guid callId, CancellationToken ct) => doorCode.SendAsync(callId, ct);

    /// <summary>A command another replica handed over (<see cref="DoorCallCommands"/>): acted on only if this replica controls the call.</summary>
    public void OnCommand(DoorCallCommand command)
    {
        if (registry.ByCall(command.CallId) is not { } call) return;
        if (command.Kind == DoorCallCommand.AppAnsweredKind) Post(call, liveKit.OnAppAnsweredAsync);
        else if (command.Kind == DoorCallCommand.ClosedKind && command.Status is { } status) Post(call, c => ending.FinishAsync(c, DoorAnswers.OutcomeOfClosed(status, c.IsAnswered)));
    }

    private void Admit(AsteriskServer asterisk, AriChannel channel, string tenant, string door, string exten)
    {
        var call = new DoorCall(asterisk, channel.Id, tenant, door, exten, time.GetUtcNow(), loggers.CreateLogger<DoorCall>(), leases.StillControlsAsync);
        if (!registry.TryAddDoor(call)) return; // the same channel again: it is controlled already
        call.Work.Post(async () =>
        {
            // A burst waits a moment for a set-up slot; a flood does not queue for seconds: the dialplan rings the devices.
            if (!await setupSlots.WaitAsync(options.Value.CallSetupQueueTimeout))
            {
                logger.LogWarning("{Limit} door calls are being set up already: channel {Channel} goes to the dialplan's fallback", options.Value.MaxCallsInSetup, channel.Id);
                call.Finished = true;
                call.Work.Complete();
                registry.Remove(call);
                await asterisk.TryAsync(a => a.ContinueAsync(channel.Id, CancellationToken.None), "hand a shed door call back to the dialplan");
                return;
            }
            try { await setup.StartAsync(call); }
            finally { setupSlots.Release(); }
        });
    }

    private async Task OnChannelGoneAsync(DoorCall call, string channelId, int cause)
    {
        if (call.Finished || call.Start is null) return;
        if (channelId == call.DoorChannelId)
        {
            // The visitor hung up (or Asterisk did): ringing → cancelled, connected → ended.
            await ending.FinishAsync(call, DoorCallOutcome.DoorHungUp, cause);
            return;
        }
        if (channelId == call.Peer)
        {
            await ending.FinishAsync(call, DoorCallOutcome.AnswererHungUp);
            return;
        }
        await legs.OnGoneAsync(call, channelId, cause);
    }

    private void OnEndpointOnline(string endpoint)
    {
        foreach (var call in registry.Live.Where(c => !c.IsAnswered && c.Start!.SipEndpoints!.Contains(endpoint)))
        {
            call.Work.Post(() => legs.OnEndpointOnlineAsync(call, endpoint));
        }
    }

    private static void Post(DoorCall? call, Func<DoorCall, Task> step)
    {
        if (call is not null) call.Work.Post(() => step(call));
    }

    /// <summary>A channel that claims to belong to a call this replica does not control is hung up.</summary>
    private static void PostOrHangUp(AsteriskServer asterisk, DoorCall? call, string channelId, Func<DoorCall, Task> step)
    {
        if (call is not null && call.Work.Post(() => step(call))) return;
        _ = asterisk.TryAsync(a => a.HangupAsync(channelId, AriHangupReasons.Normal, CancellationToken.None), "hang up a channel of no call");
    }
}
