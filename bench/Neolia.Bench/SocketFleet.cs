using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;

namespace Neolia.Bench;

/// <summary>What a resident socket saw: an <c>incoming_call</c>, a <c>call_updated</c> to <c>missed</c> (timestamp:
/// <see cref="Stopwatch.GetTimestamp"/>, the machine's monotonic clock, comparable across processes) or its end.</summary>
public interface IRingSink
{
    void Ring(int socket, Guid callId, long timestamp);
    void Missed(int socket, Guid callId, long timestamp);
    void Closed(int socket);
}

/// <summary>
/// Many resident app sockets through the gateway. Each has its own receive loop that only looks for the call id of
/// an <c>incoming_call</c> or of a <c>call_updated</c> to <c>missed</c> (no JSON parse: the bench shares the machine
/// with the stack it measures).
/// </summary>
public sealed class SocketFleet(IRingSink sink) : IAsyncDisposable
{
    private readonly List<(ClientWebSocket Socket, Task Loop)> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    });

    public int Connected { get; private set; }
    public int Failed { get; private set; }
    public List<string> Errors { get; } = [];

    /// <param name="firstIndex">Index of the first socket (its resident); socket i uses gateway i mod gateways.</param>
    /// <param name="tokenInHeader">The access token in an Authorization header (as a native app can send it), not in the URL.</param>
    public async Task ConnectAsync(IReadOnlyList<Uri> gateways, IReadOnlyList<string> tokens, int firstIndex, int concurrency, bool tokenInHeader)
    {
        using var gate = new SemaphoreSlim(concurrency);
        var slots = new (ClientWebSocket?, Task?)[tokens.Count];
        var connects = new List<Task>(tokens.Count);
        for (var n = 0; n < tokens.Count; n++)
        {
            await gate.WaitAsync();
            var local = n;
            connects.Add(Task.Run(async () =>
            {
                try
                {
                    var index = firstIndex + local;
                    var gateway = gateways[index % gateways.Count];
                    var uri = new UriBuilder(gateway) { Scheme = "ws", Path = "/ws", Query = tokenInHeader ? "" : "access_token=" + Uri.EscapeDataString(tokens[local]) }.Uri;
                    ClientWebSocket NewSocket()
                    {
                        var socket = new ClientWebSocket();
                        socket.Options.KeepAliveInterval = TimeSpan.Zero;
                        if (tokenInHeader) socket.Options.SetRequestHeader("Authorization", "Bearer " + tokens[local]);
                        return socket;
                    }
                    var socket = NewSocket();
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                            await socket.ConnectAsync(uri, _invoker, timeout.Token);
                            break;
                        }
                        catch (Exception) when (attempt < 3)
                        {
                            socket.Dispose();
                            socket = NewSocket();
                            await Task.Delay(200 * attempt);
                        }
                    }
                    slots[local] = (socket, ReceiveLoopAsync(index, socket));
                }
                catch (Exception e)
                {
                    lock (Errors) { if (Errors.Count < 5) Errors.Add(e.GetBaseException().Message); }
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Task.WhenAll(connects);
        foreach (var (socket, loop) in slots)
        {
            if (socket is null) { Failed++; continue; }
            _sockets.Add((socket, loop!));
            Connected++;
        }
    }

    private static ReadOnlySpan<byte> CallIdMarker => "\"call\":{\"id\":\""u8;
    private static ReadOnlySpan<byte> IncomingCallType => "\"incoming_call\""u8;
    private static ReadOnlySpan<byte> CallUpdatedType => "\"call_updated\""u8;
    private static ReadOnlySpan<byte> MissedStatus => "\"status\":\"missed\""u8;

    private async Task ReceiveLoopAsync(int index, ClientWebSocket socket)
    {
        await Task.Yield();
        var buffer = new byte[2048];
        try
        {
            while (true)
            {
                var filled = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    result = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    filled += result.Count;
                } while (!result.EndOfMessage);
                var now = Stopwatch.GetTimestamp();
                var message = buffer.AsSpan(0, filled);
                var ring = message.IndexOf(IncomingCallType) >= 0;
                if (!ring && (message.IndexOf(CallUpdatedType) < 0 || message.IndexOf(MissedStatus) < 0)) continue;
                var at = message.IndexOf(CallIdMarker);
                if (at >= 0 && Utf8Parser.TryParse(message[(at + CallIdMarker.Length)..], out Guid callId, out _, 'D'))
                {
                    if (ring) sink.Ring(index, callId, now);
                    else sink.Missed(index, callId, now);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        finally
        {
            if (!_stop.IsCancellationRequested) sink.Closed(index);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        foreach (var (socket, _) in _sockets) socket.Abort();
        await Task.WhenAll(_sockets.Select(s => s.Loop)).ContinueWith(_ => { }, TaskScheduler.Default);
        foreach (var (socket, _) in _sockets) socket.Dispose();
        _invoker.Dispose();
        _stop.Dispose();
    }
}
