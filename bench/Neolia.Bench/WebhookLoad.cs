using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Neolia.Bench;

/// <summary>One webhook sent: when, to which apartment, and how CallApi answered.</summary>
public sealed class CallRecord
{
    public required int Sequence { get; init; }
    public required int Apartment { get; init; }
    public long SentAt { get; set; }
    public long AnsweredAt { get; set; }
    /// <summary>HTTP status; -1: no answer within the budget; -2: transport error.</summary>
    public int Status { get; set; }
    public bool Dialled { get; set; }
    public Guid CallId { get; set; }
    /// <summary>The ring timeout the webhook answered (the dialplan's Dial() timeout), in seconds.</summary>
    public int RingTimeoutSeconds { get; set; }
    public string? Error { get; set; }
}

/// <summary>Every ring and every "missed" every socket saw, in arrival order.</summary>
public sealed class RingLog : IRingSink
{
    public ConcurrentQueue<(int Socket, Guid CallId, long At)> Rings { get; } = new();
    public ConcurrentQueue<(int Socket, Guid CallId, long At)> Misses { get; } = new();
    public ConcurrentQueue<(int Socket, long At)> Closes { get; } = new();

    public void Ring(int socket, Guid callId, long timestamp) => Rings.Enqueue((socket, callId, timestamp));
    public void Missed(int socket, Guid callId, long timestamp) => Misses.Enqueue((socket, callId, timestamp));
    public void Closed(int socket) => Closes.Enqueue((socket, Stopwatch.GetTimestamp()));
}

/// <summary>
/// Asterisk's door-call webhook (form-encoded, secret header) sent open loop: webhook i leaves at start + i/R
/// whatever happened to the earlier ones, from a dedicated thread so the bench's own thread pool cannot delay it.
/// </summary>
public sealed class WebhookLoad(Uri callApi, string secret, BenchTenant tenant, TimeSpan budget, string runId, int maxConnections) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        MaxConnectionsPerServer = maxConnections,
    })
    { BaseAddress = callApi, Timeout = Timeout.InfiniteTimeSpan };

    private int _sequence;

    public (long Start, List<CallRecord> Calls, Task Done) Run(double rate, double seconds)
    {
        var total = (int)Math.Round(rate * seconds);
        var calls = new List<CallRecord>(total);
        var inflight = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        var paced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            for (var i = 0; i < total; i++)
            {
                var due = start + (long)(i * Stopwatch.Frequency / rate);
                while (Stopwatch.GetTimestamp() < due)
                {
                    var wait = (due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
                    if (wait >= 2) Thread.Sleep(1); else Thread.Yield();
                }
                var seq = _sequence++;
                var call = new CallRecord { Sequence = seq, Apartment = seq % tenant.Apartments };
                calls.Add(call);
                inflight.Add(SendAsync(call));
            }
            paced.SetResult();
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "webhook pacer" };
        thread.Start();
        // Never block a pool thread on the pacer: on 2 cores that halves the bench's own thread pool.
        var done = paced.Task.ContinueWith(_ => Task.WhenAll(inflight), TaskScheduler.Default).Unwrap();
        return (start, calls, done);
    }

    private static ReadOnlySpan<byte> CallIdField => "\"call_id\":\""u8;
    private static ReadOnlySpan<byte> TimeoutField => "\"timeout\":\""u8;

    private async Task SendAsync(CallRecord call)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/call")
        {
            Content = new FormUrlEncodedContent([
                new("call_id", $"{runId}.{call.Sequence}"),
                new("tenant", tenant.Slug),
                new("caller", tenant.DoorSipUsername),
                new("callee", BenchTenant.ApartmentNumber(call.Apartment)),
            ]),
        };
        request.Headers.Add("X-Neolia-Webhook-Secret", secret);
        using var timeout = new CancellationTokenSource(budget);
        call.SentAt = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            call.AnsweredAt = Stopwatch.GetTimestamp();
            call.Status = (int)response.StatusCode;
            var span = body.AsSpan();
            var at = span.IndexOf(CallIdField);
            if (response.IsSuccessStatusCode && span.IndexOf("\"action\":\"dial\""u8) >= 0 && at >= 0
                && Utf8Parser.TryParse(span[(at + CallIdField.Length)..], out Guid id, out _, 'D'))
            {
                call.Dialled = true;
                call.CallId = id;
                var t = span.IndexOf(TimeoutField);
                if (t >= 0 && Utf8Parser.TryParse(span[(t + TimeoutField.Length)..], out int ringTimeout, out _)) call.RingTimeoutSeconds = ringTimeout;
            }
        }
        catch (OperationCanceledException)
        {
            call.AnsweredAt = Stopwatch.GetTimestamp();
            call.Status = -1;
        }
        catch (HttpRequestException e)
        {
            call.AnsweredAt = Stopwatch.GetTimestamp();
            call.Status = -2;
            call.Error = e.GetBaseException().Message;
        }
    }

    public void Dispose() => _http.Dispose();
}
