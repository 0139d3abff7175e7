using Microsoft.Extensions.Options;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// A door's channel entered the application: the call is recorded and rung (<see cref="DoorCallService"/>), within
/// <see cref="CallControlOptions.CallSetupBudget"/>; the apartment's SIP devices are dialled. A call that cannot be
/// set up in time (database down or slow) goes back to the dialplan, which rings the SIP devices itself (the list
/// PostgreSQL keeps, SipFallback/): the door rings whatever is down. A call that must not ring (unknown apartment or
/// door) is refused with its SIP answer.
/// </summary>
internal sealed partial class DoorCallSetup(DoorCallRegistry registry, SipLegs legs, DoorCallEnding ending, ControlLeases leases,
    IServiceScopeFactory scopes, IOptions<CallControlOptions> options, ILogger<DoorCallSetup> logger)
{
    /// <summary>The first StasisStart argument of the dialplan's [neolia-door] (StasisBroadcast()'s colon-separated arguments).</summary>
    public const string DoorArgument = "door";

    public async Task StartAsync(DoorCall call)
    {
        DoorCallStart start;
        try
        {
            using var budget = new CancellationTokenSource(options.Value.CallSetupBudget);
            await using var scope = scopes.CreateAsyncScope();
            // No retries: the budget is short and the dialplan has a fallback.
            scope.ServiceProvider.GetRequiredService<NeoliaDb>().FailFast = true;
            start = await scope.ServiceProvider.GetRequiredService<DoorCallService>()
                .StartAsync(new DoorRing(call.DoorChannelId, call.Tenant, call.DoorEndpoint, call.Apartment), budget.Token);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Door call on channel {Channel} could not be set up; handing it back to the dialplan's fallback", call.DoorChannelId);
            Abandon(call);
            await call.Asterisk.TryAsync(a => a.ContinueAsync(call.DoorChannelId, CancellationToken.None), "hand the door back to the dialplan");
            return;
        }
        if (!start.Started)
        {
            Abandon(call);
            await call.Asterisk.TryAsync(a => a.HangupAsync(call.DoorChannelId, DoorAnswers.ForRejected(start.RejectReason!), CancellationToken.None), "refuse the door call");
            return;
        }

        call.Start = start;
        registry.AddCall(call);
        ending.StartRingTimer(call);
        // Whose call it is, for the other replicas to take it over if this one dies: written while the door is rung,
        // committed before any phone is dialled.
        var owned = leases.RecordOwnerAsync(call.CallId, call.Asterisk.Name, CancellationToken.None);
        // 180 Ringing once the call is ours (the dialplan's Ringing() sent one already; a refused door hears only its refusal).
        await call.Asterisk.TryAsync(a => a.RingAsync(call.DoorChannelId, CancellationToken.None), "ring the door");
        try { await owned; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning("Could not record that this replica controls call {CallId} ({Error}): it is not taken over if this replica dies", call.CallId, e.Message);
        }
        LogTaken(logger, call.CallId, call.DoorChannelId, start.SipEndpoints!.Count, start.Residents, start.ExpiresAt);
        await legs.DialAllAsync(call);
    }

    // Debug: one line per call costs a few per cent of a core at hundreds of calls/s; the call is in the database.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Door call {CallId} on channel {Channel}: {Endpoints} SIP endpoint(s), {Residents} resident(s), rings until {ExpiresAt:O}")]
    private static partial void LogTaken(ILogger logger, Guid callId, string channel, int endpoints, int residents, DateTimeOffset expiresAt);

    /// <summary>The channel is not controlled after all: forgotten, so its later events find no call.</summary>
    private void Abandon(DoorCall call)
    {
        call.Finished = true;
        call.Work.Complete();
        registry.Remove(call);
    }
}
