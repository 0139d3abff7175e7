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
    // Call id → when it was queued (Environment.TickCount64). Pruned past a few entries, once older than any ring
    // can last: a socket that stays connected for days would otherwise keep every call id it ever rang.
    private readonly Dictionary<Guid, long> _ringingSent = [];
    private const int RingingPruneThreshold = 16;
    private const long RingingMemoryMs = 10 * 60 * 1000;

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
        Drop("send queue full: the client is not reading");
        return false;
    }

    /// <summary>
    /// Queues an <c>incoming_call</c> unless this socket already had it: a live event and the replay on connect can
    /// race, and the app must ring once.
    /// </summary>
    public bool TrySendRinging(Guid callId, ReadOnlyMemory<byte> utf8Json)
    {
        lock (_ringingSent)
        {
            var now = Environment.TickCount64;
            if (_ringingSent.Count >= RingingPruneThreshold)
            {
                foreach (var (id, queuedAt) in _ringingSent)
                {
                    if (now - queuedAt > RingingMemoryMs) _ringingSent.Remove(id);
                }
            }
            if (!_ringingSent.TryAdd(callId, now)) return true;
        }
        return TrySend(utf8Json);
    }

    public void Drop(string reason)
    {
        DropReason ??= reason;
        _outbox.Writer.TryComplete();
        _socket.Abort();
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
            using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try { await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, closeTimeout.Token); }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
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
