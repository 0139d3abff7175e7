using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Neolia.Tests.Infrastructure;

/// <summary>A resident app's socket: it records every message the server sends, for tests to wait on and count.</summary>
public sealed class ResidentSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly List<JsonElement> _messages = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;

    private ResidentSocket(ClientWebSocket socket) => _socket = socket;

    public static ResidentSocket Start(ClientWebSocket socket)
    {
        var resident = new ResidentSocket(socket);
        resident._receiving = resident.ReceiveAsync();
        return resident;
    }

    public WebSocketState State => _socket.State;

    /// <summary>The status of the server's close frame, once one arrived (null when the socket was dropped without one).</summary>
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>Completes when the server closes or drops the socket.</summary>
    public Task Closed => _receiving;

    public IReadOnlyList<JsonElement> Messages
    {
        get { lock (_messages) return [.. _messages]; }
    }

    public IReadOnlyList<JsonElement> MessagesOfType(string type) => Messages.Where(m => m.GetProperty("type").GetString() == type).ToList();

    /// <summary>The <c>incoming_call</c> messages for one call.</summary>
    public IReadOnlyList<JsonElement> RingsFor(string callId) =>
        MessagesOfType("incoming_call").Where(m => m.GetProperty("call").GetProperty("id").GetString() == callId).ToList();

    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> predicate, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var match = Messages.FirstOrDefault(predicate);
            if (match.ValueKind != JsonValueKind.Undefined) return match;
            if (_receiving.IsCompleted) break;
            await Task.Delay(5);
        }
        throw new TimeoutException($"No message {what ?? "matching"} arrived (state {State}). Received: [{string.Join(", ", Messages.Select(m => m.GetRawText()))}]");
    }

    public Task<JsonElement> WaitForRingAsync(string callId, TimeSpan? timeout = null) =>
        WaitForAsync(m => m.GetProperty("type").GetString() == "incoming_call" && m.GetProperty("call").GetProperty("id").GetString() == callId,
            timeout, $"incoming_call for {callId}");

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    message.Write(buffer, 0, result.Count);
                } while (!result.EndOfMessage);
                var element = JsonDocument.Parse(Encoding.UTF8.GetString(message.ToArray())).RootElement.Clone();
                lock (_messages) _messages.Add(element);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token); }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        }
        _stop.Cancel();
        await _receiving;
        _socket.Dispose();
        _stop.Dispose();
    }
}
