using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Neolia.Tests.Infrastructure;

/// <summary>
/// A WebSocket spoken by hand over TCP, for what a well-behaved client library hides: it reads only when told to
/// (a client that stops reading), never answers pings, and can shrink its receive buffer so the server's queue fills
/// after a few messages instead of megabytes.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawWebSocket(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawWebSocket> ConnectAsync(Uri gateway, string accessToken, int receiveBufferSize = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBufferSize > 0) socket.ReceiveBufferSize = receiveBufferSize;
        await socket.ConnectAsync(gateway.Host, gateway.Port);
        var raw = new RawWebSocket(socket);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET /ws?access_token={Uri.EscapeDataString(accessToken)} HTTP/1.1\r\nHost: {gateway.Authority}\r\n" +
            $"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await raw._stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await raw._stream.ReadAsync(one, timeout.Token) == 0) throw new IOException($"Closed during the handshake: {head}");
            head.Append((char)one[0]);
        }
        if (!head.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) throw new IOException($"No upgrade: {head}");
        return raw;
    }

    public const int TextFrame = 0x1;
    public const int CloseFrame = 0x8;
    public const int PingFrame = 0x9;
    public const int PongFrame = 0xA;

    /// <summary>The next frame from the server (unmasked, as servers send them); null when the connection ended.</summary>
    public async Task<(int Opcode, byte[] Payload)?> ReadFrameAsync(CancellationToken ct)
    {
        try
        {
            var header = new byte[2];
            if (!await ReadExactlyAsync(header, ct)) return null;
            long length = header[1] & 0x7F;
            if (length == 126)
            {
                var extended = new byte[2];
                if (!await ReadExactlyAsync(extended, ct)) return null;
                length = (extended[0] << 8) | extended[1];
            }
            else if (length == 127)
            {
                var extended = new byte[8];
                if (!await ReadExactlyAsync(extended, ct)) return null;
                length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(extended);
            }
            var payload = new byte[length];
            if (!await ReadExactlyAsync(payload, ct)) return null;
            return (header[0] & 0x0F, payload);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Reads everything the server sent until it closes; false if it is still open at the deadline.</summary>
    public async Task<bool> ReadUntilClosedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0) { }
            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _stream.ReadAsync(buffer.AsMemory(read), ct);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Close(0);
        return _stream.DisposeAsync();
    }
}
