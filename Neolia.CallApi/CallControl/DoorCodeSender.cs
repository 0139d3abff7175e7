using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// Opens the door during an answered call: its code, decrypted, as RFC 4733 DTMF on the door's channel. The replica
/// that controls the call knows whether the door is connected; any other one asks Asterisk (the door's channel is in
/// the call's bridge) and sends the code through ARI itself, which any client may do for any channel.
/// </summary>
internal sealed class DoorCodeSender(DoorCallRegistry registry, AsteriskServers asterisks, ControlLeases leases, IServiceScopeFactory scopes,
    Microsoft.Extensions.Options.IOptions<CallControlOptions> options, ILogger<DoorCodeSender> logger)
{
    public async Task<string> SendAsync(Guid callId, CancellationToken ct)
    {
        if (!options.Value.Enabled) return DoorOpeningResults.NotSent; // no Asterisk to send it through
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NeoliaDb>();
        db.TenantScope = TenantScope.All;
        var row = await db.Calls.Where(c => c.Id == callId)
            .Select(c => new { c.AsteriskCallId, Code = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.DoorCodeProtected).First() }).SingleAsync(ct);
        var (asterisk, doorChannel) = registry.ByCall(callId) is { } call
            ? (call.Asterisk, await ConnectedDoorOfAsync(call))
            : await ConnectedDoorInAsteriskAsync(callId, row.AsteriskCallId, ct);
        if (asterisk is null || doorChannel is null) return DoorOpeningResults.NotSent;
        if (scope.ServiceProvider.GetRequiredService<DeviceSecrets>().DoorCodeOrNull(row.Code, logger, $"call {callId}") is not { } code) return DoorOpeningResults.Failed;
        if (!await asterisk.TryAsync(a => a.SendDtmfAsync(doorChannel, code, ct), $"send the door code of call {callId}")) return DoorOpeningResults.Failed;
        logger.LogInformation("Door code sent on channel {Channel} of call {CallId}", doorChannel, callId);
        return DoorOpeningResults.Sent;
    }

    private static async Task<string?> ConnectedDoorOfAsync(DoorCall call)
    {
        try
        {
            return await call.Work.InvokeAsync(() => Task.FromResult(call.Peer is not null && !call.Finished ? call.DoorChannelId : null));
        }
        catch (InvalidOperationException)
        {
            return null; // the call ended meanwhile
        }
    }

    /// <summary>A call another replica controls: the door is connected when its Asterisk (the owner row's) has its channel in the call's bridge.</summary>
    private async Task<(AsteriskServer?, string?)> ConnectedDoorInAsteriskAsync(Guid callId, string doorChannel, CancellationToken ct)
    {
        var owner = (await leases.OwnersAsync([callId], ct)).GetValueOrDefault(callId);
        if (asterisks.Named(owner?.Asterisk) is not { } asterisk) return (null, null);
        try
        {
            var members = await asterisk.Client.BridgeChannelsAsync(DoorCall.BridgeIdOf(callId), ct);
            return (asterisk, members.Contains(doorChannel) ? doorChannel : null);
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e))
        {
            logger.LogWarning("Bridge of call {CallId} unknown ({Error}): the door code is not sent", callId, e.Message);
            return (asterisk, null);
        }
    }
}
