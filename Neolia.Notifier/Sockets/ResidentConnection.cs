using System.Net.WebSockets;
using System.Threading.Channels;

namespace Neolia.Notifier.Sockets;

/// <summary>
/// One open app socket. Messages are queued and written by the connection's own loop, so a client that stops
/// reading fills only its own queue; when that is full the client is dropped, and nobody else waits for it.
/// </summary>
public sealed class ResidentConnection
{
    private readonly WebSocket _socket;
    private readonly Channel<ReadOnlyMemory<byte>> _outbox;
    private readonly TimeSpan _sendTimeout;
    // Calls this socket must not ring for (again): rung already, or already answered, declined or ended; call id →
    // when it was noted (Environment.TickCount64). Pruned past a few entries, once older than any ring can last: a
    // socket that stays connected for days would otherwise keep every call id it ever saw.
    private readonly Dictionary<Guid, long> _noMoreRings = [];
    private const int NoMoreRingsPruneThreshold = 16;
    private const long NoMoreRingsMemoryMs = 10 * 60 * 1000;
    private WebSocketCloseStatus _closeStatus = WebSocketCloseStatus.NormalClosure;
    private string? _closeDescription;
    // Set once the server decided to close this socket with a close frame: later sends are dropped quietly instead of
    // aborting the socket, which would lose the close frame the app needs to see.
    private volatile bool _closing;

    /// <summary>How long the client has to answer the server's close frame before the socket is aborted.</summary>
    internal static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    public ResidentConnection(Guid userId, WebSocket socket, SocketOptions options)
    {
        UserId = userId;
        _socket = socket;
        _sendTimeout = options.SendTimeout;
        _outbox = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Guid UserId { get; }

    /// <summary>Why the connection was dropped by the server, if it was.</summary>
    public string? DropReason { get; private set; }

    /// <summary>Queues a message; false when the client is not keeping up (it is then dropped).</summary>
    public bool TrySend(ReadOnlyMemory<byte> utf8Json)
    {
        if (_outbox.Writer.TryWrite(utf8Json)) return true;
        if (_closing) return false;
        Drop("send queue full: the client is not reading");
        return false;
    }

    /// <summary>
    /// Queues an <c>incoming_call</c> unless this socket already had it: a live event and the replay on connect can
    /// race, and the app must ring once.
    /// </summary>
    public bool TrySendRinging(Guid callId, ReadOnlyMemory<byte> utf8Json)
    {
        lock (_noMoreRings)
        {
            if (!NoteNoMoreRings(callId)) return true;
        }
        return TrySend(utf8Json);
    }

    /// <summary>
    /// Queues a <c>call_updated</c> and closes the call for this socket: a replay read from Redis just before the call
    /// ended, and queued after this update, must not ring again for a call that is over.
    /// </summary>
    public bool TrySendUpdate(Guid callId, ReadOnlyMemory<byte> utf8Json)
    {
        lock (_noMoreRings) NoteNoMoreRings(callId);
        return TrySend(utf8Json);
    }

    /// <returns>False when the call was noted already. Call under the lock.</returns>
    private bool NoteNoMoreRings(Guid callId)
    {
        var now = Environment.TickCount64;
        if (_noMoreRings.Count >= NoMoreRingsPruneThreshold)
        {
            foreach (var (id, notedAt) in _noMoreRings)
            {
                if (now - notedAt > NoMoreRingsMemoryMs) _noMoreRings.Remove(id);
            }
        }
        return _noMoreRings.TryAdd(callId, now);
    }

    public void Drop(string reason)
    {
        DropReason ??= reason;
        _outbox.Writer.TryComplete();
        _socket.Abort();
    }

    /// <summary>
    /// Closes the socket because its user may no longer be here (deactivated, signed out everywhere): what is queued
    /// is still sent, then a close frame with 1008 (policy violation) tells the app not to reconnect with this token.
    /// </summary>
    public void CloseRevoked() => Close(WebSocketCloseStatus.PolicyViolation, "token revoked", "the user's tokens were revoked");

    /// <summary>
    /// Closes the socket because whether its token is still valid cannot be known now (Redis restarting): 1011 tells the
    /// app to reconnect shortly, unlike <see cref="CloseRevoked"/>.
    /// </summary>
    public void CloseUnverifiable() => Close(WebSocketCloseStatus.InternalServerError, "try again", "the token's revocation could not be checked");

    private void Close(WebSocketCloseStatus status, string description, string reason)
    {
        DropReason ??= reason;
        _closeStatus = status;
        _closeDescription = description;
        _closing = true;
        _outbox.Writer.TryComplete();
    }

    /// <summary>Runs until the client closes, the socket dies or the server drops it.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var sending = SendLoopAsync(stopping);
        var receiving = ReceiveLoopAsync(stopping);
        await Task.WhenAny(sending, receiving);
        _outbox.Writer.TryComplete();
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var closeTimeout = new CancellationTokenSource(CloseGrace);
            try
            {
                await _socket.CloseOutputAsync(_closeStatus, _closeDescription, closeTimeout.Token);
                // The close frame is on its way; aborting at once could reset the connection before the gateway relays
                // it. Wait for the client's own close frame (the receive loop ends on it), within the grace.
                await receiving.WaitAsync(closeTimeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or TimeoutException) { }
        }
        _socket.Abort();
        await Task.WhenAll(sending, receiving).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task SendLoopAsync(CancellationToken stopping)
    {
        // One timeout source per connection, reset for each message (not a new linked source and timer per message).
        CancellationTokenSource? timeout = null;
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(stopping))
            {
                if (timeout is null || !timeout.TryReset())
                {
                    timeout?.Dispose();
                    timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                }
                timeout.CancelAfter(_sendTimeout);
                await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            Drop("send timed out: the client is not reading");
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            timeout?.Dispose();
        }
    }

    // The app sends nothing we act on; reading keeps close frames and pongs flowing.
    private async Task ReceiveLoopAsync(CancellationToken stopping)
    {
        var buffer = new byte[256];
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), stopping);
                if (result.MessageType == WebSocketMessageType.Close) return;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
    }
}
