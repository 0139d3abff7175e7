using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;

namespace Neolia.CallApi.CallControl;

/// <summary>Opens the door during an answered call: its code, decrypted, as RFC 4733 DTMF on the door's channel.</summary>
internal sealed class DoorCodeSender(DoorCallRegistry registry, AriCommands ari, IServiceScopeFactory scopes, ILogger<DoorCodeSender> logger)
{
    public async Task<string> SendAsync(Guid callId, CancellationToken ct)
    {
        if (registry.ByCall(callId) is not { } call) return DoorOpeningResults.NotSent;
        string? doorChannel;
        try
        {
            doorChannel = await call.Work.InvokeAsync(() => Task.FromResult(call.Peer is not null && !call.Finished ? call.DoorChannelId : null));
        }
        catch (InvalidOperationException)
        {
            return DoorOpeningResults.NotSent; // the call ended meanwhile
        }
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
        if (!await ari.TryAsync(a => a.SendDtmfAsync(doorChannel, code, ct), $"send the door code of call {callId}")) return DoorOpeningResults.Failed;
        logger.LogInformation("Door code sent on channel {Channel} of call {CallId}", doorChannel, callId);
        return DoorOpeningResults.Sent;
    }
}
