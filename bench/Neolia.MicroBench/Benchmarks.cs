using System.Net.WebSockets;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;
using Neolia.Notifier.CallEvents;
using Neolia.Notifier.Sockets;

namespace Neolia.MicroBench;

/// <summary>CallApi mints one LiveKit token per resident rung.</summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private readonly LiveKitTokens _tokens = new(Options.Create(new LiveKitOptions
    {
        Url = "ws://127.0.0.1:7880",
        ApiUrl = "http://127.0.0.1:7880",
        ApiKey = "APIbenchmarkkey",
        ApiSecret = "benchmark-secret-benchmark-secret-benchmark-secret",
    }), TimeProvider.System);
    private readonly Guid _user = Guid.NewGuid();

    [Benchmark]
    public string MintResidentToken() => _tokens.ForResident("call-0192f0c4a2b87e51b2b0a9d4c3e2f1a0", _user);
}

/// <summary>The event CallApi appends, and the socket message the Notifier writes per recipient.</summary>
[MemoryDiagnoser]
public class SerialisationBenchmarks
{
    internal static readonly IncomingCallDetails Details = new("call-0192f0c4a2b87e51b2b0a9d4c3e2f1a0", "ws://127.0.0.1:8080", "demo-door-1",
        "Front door", "101", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddSeconds(30));
    internal static readonly string Token = new string('x', 420);

    private readonly CallEvent _event = Ringing(Guid.NewGuid(), [new CallRecipient(Guid.NewGuid(), Token), new CallRecipient(Guid.NewGuid(), Token)]);
    private byte[] _eventJson = [];

    internal static CallEvent Ringing(Guid callId, IReadOnlyList<CallRecipient> recipients) => new()
    {
        Type = CallEventTypes.Ringing,
        CallId = callId,
        TenantId = Guid.NewGuid(),
        ApartmentId = Guid.NewGuid(),
        Status = CallStatuses.Ringing,
        OccurredAt = DateTimeOffset.UtcNow,
        Call = Details,
        Recipients = recipients,
    };

    [GlobalSetup]
    public void Setup() => _eventJson = JsonSerializer.SerializeToUtf8Bytes(_event, ContractsJson.Default.CallEvent);

    [Benchmark]
    public byte[] SerializeCallEvent() => JsonSerializer.SerializeToUtf8Bytes(_event, ContractsJson.Default.CallEvent);

    [Benchmark]
    public CallEvent? DeserializeCallEvent() => JsonSerializer.Deserialize(_eventJson, ContractsJson.Default.CallEvent);

    [Benchmark]
    public byte[] SerializeIncomingCallMessage() => JsonSerializer.SerializeToUtf8Bytes(
        new IncomingCallMessage(IncomingCall.For(_event.CallId, Details, Token)), ContractsJson.Default.IncomingCallMessage);
}

/// <summary>
/// The Notifier's fan-out of one event into the sockets' queues, with real connections over a socket stream that
/// discards what it is sent (their send loops run, as in the service).
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    private readonly ConnectionRegistry _registry = new();
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stop = new();
    private CallEventFanOut _fanOut = null!;
    private CallRecipient[] _users = [];
    private int _next;

    [Params(10_000)]
    public int Sockets { get; set; }

    /// <summary>Residents rung by one call (an apartment: 2; a whole building broadcast: 1000).</summary>
    [Params(2, 1000)]
    public int Recipients { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new SocketOptions { SendQueueCapacity = 4096 };
        _users = new CallRecipient[Sockets];
        for (var i = 0; i < Sockets; i++)
        {
            _users[i] = new CallRecipient(Guid.NewGuid(), SerialisationBenchmarks.Token);
            var socket = WebSocket.CreateFromStream(new DiscardStream(), new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
            var connection = new ResidentConnection(_users[i].UserId, socket, options);
            _registry.Add(connection);
            _loops.Add(connection.RunAsync(_stop.Token));
        }
        _fanOut = new CallEventFanOut(_registry);
    }

    [Benchmark]
    public void DeliverRinging()
    {
        var first = _next;
        _next = (_next + Recipients) % (Sockets - Recipients);
        _fanOut.Deliver(SerialisationBenchmarks.Ringing(Guid.NewGuid(), new ArraySegment<CallRecipient>(_users, first, Recipients)));
    }

    [Benchmark]
    public void DeliverUpdate()
    {
        var first = _next;
        _next = (_next + Recipients) % (Sockets - Recipients);
        _fanOut.Deliver(new CallEvent
        {
            Type = CallEventTypes.Ended, CallId = Guid.NewGuid(), TenantId = Guid.Empty, ApartmentId = Guid.Empty, Status = CallStatuses.Cancelled,
            OccurredAt = DateTimeOffset.UtcNow, Recipients = new ArraySegment<CallRecipient>(_users, first, Recipients),
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        Task.WhenAll(_loops).Wait(TimeSpan.FromSeconds(10));
    }

    /// <summary>A socket's stream: writes vanish, reads wait until cancelled (the client never sends).</summary>
    private sealed class DiscardStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
