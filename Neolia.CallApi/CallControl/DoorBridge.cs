using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>Connects the door with the channel whose answer won: answers the door and bridges the two.</summary>
internal sealed class DoorBridge(DoorCallRegistry registry, DoorCallEnding ending, TimeProvider time, ILogger<DoorBridge> logger)
{
    public async Task ConnectAsync(DoorCall call, string peer)
    {
        call.Peer = peer;
        call.AnsweredAt ??= time.GetUtcNow();
        call.Timer?.Dispose();
        registry.AddChannel(peer, call);
        try
        {
            var client = call.Asterisk.Client;
            await client.AnswerAsync(call.DoorChannelId, CancellationToken.None);
            await client.CreateBridgeAsync(call.BridgeId, CancellationToken.None);
            await client.AddToBridgeAsync(call.BridgeId, [call.DoorChannelId, peer], CancellationToken.None);
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e))
        {
            // The visitor (or the answerer) hung up while the bridge was being made: not a failure of the platform. Its
            // ChannelDestroyed is queued behind this step and ends the call with the real outcome and cause.
            if (await EitherGoneAsync(call, peer))
            {
                logger.LogDebug("Call {CallId}: the door or {Peer} hung up while they were being bridged", call.CallId, peer);
                return;
            }
            logger.LogWarning("Call {CallId}: bridging the door with {Peer} failed: {Error}", call.CallId, peer, e.Message);
            await ending.FinishAsync(call, DoorCallOutcome.BridgeFailed);
        }
    }

    private static async Task<bool> EitherGoneAsync(DoorCall call, string peer)
    {
        try
        {
            var client = call.Asterisk.Client;
            return !await client.ChannelExistsAsync(call.DoorChannelId, CancellationToken.None) || !await client.ChannelExistsAsync(peer, CancellationToken.None);
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e))
        {
            return false; // Asterisk cannot say: the bridge failed
        }
    }
}
