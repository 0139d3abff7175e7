using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Neolia.DevStack;
using Npgsql;

namespace Neolia.Bench;

/// <summary>One door call rung: when it was offered, when a replica claimed it, and what CallApi did with the door's channel.</summary>
public sealed class CallRecord
{
    public required int Sequence { get; init; }
    public required int Apartment { get; init; }
    public required string ChannelId { get; init; }
    public required string Tenant { get; init; }
    public required string Door { get; init; }
    public required string ApartmentNumber { get; init; }
    /// <summary>When the CallBroadcast left for the replicas' event sockets (the dialplan reaching StasisBroadcast()).</summary>
    public long SentAt { get; set; }
    /// <summary>When a replica's claim won the call (0: never claimed).</summary>
    public long ClaimedAt { get; set; }
    /// <summary>When CallApi first acted on the door's channel (ring, continue or hangup).</summary>
    public long AnsweredAt { get; set; }
    /// <summary>200: taken (CallApi rang the door); 503: handed back to the dialplan (shed or set-up failed); 404/403: refused; -1: nothing within the budget.</summary>
    public int Status { get; set; } = -1;
    public bool Dialled => Status == 200 && CallId != Guid.Empty;
    public Guid CallId { get; set; }
    public int RingTimeoutSeconds { get; set; }
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
/// Asterisk as CallApi sees it, for the bench: one ARI event WebSocket per CallApi replica (its application
/// <c>neolia-&lt;replica id&gt;</c>) and the REST routes call control uses (as in Asterisk's rest-api/api-docs),
/// answering at once, and the doors: each door call is offered as the dialplan's <c>StasisBroadcast(…,door:…)</c>
/// offers it, a CallBroadcast to every application, the first <c>POST /events/claim</c> wins (204, the others 409)
/// and the winner gets the StasisStart: the claim's round trip is in the figures, as on a real Asterisk. Open loop
/// (call i leaves at start + i/R whatever happened to the others), from a dedicated thread so the bench's own thread
/// pool cannot delay them.
/// </summary>
public sealed class AriDoors : IAsyncDisposable
{
    public const string Username = "neolia-bench";
    public string Password { get; } = "ari-" + Guid.NewGuid().ToString("N");
    private sealed record Application(string Name, WebSocket Socket)
    {
        /// <summary>One writer at a time on a WebSocket; Asterisk too writes an application's events one after the other.</summary>
        public SemaphoreSlim Send { get; } = new(1, 1);
    }

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, CallRecord> _calls = new();
    private readonly ConcurrentDictionary<string, Application> _applications = new();
    /// <summary>Door channel → the application that claimed it (null while offered).</summary>
    private readonly ConcurrentDictionary<string, string?> _offers = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _replicas;
    private int _sequence;

    private AriDoors(WebApplication app, Uri url, int replicas)
    {
        _app = app;
        Url = url;
        _replicas = replicas;
    }

    /// <summary>How many door calls each application claimed.</summary>
    public IReadOnlyDictionary<string, int> ClaimsByApplication =>
        _offers.Values.OfType<string>().GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());

    public Uri Url { get; }

    /// <summary>Completes when every CallApi replica's call control has connected its event socket.</summary>
    public Task Connected => _connected.Task;

    public static async Task<AriDoors> StartAsync(int replicas = 1)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var doors = new AriDoors(app, new Uri($"http://127.0.0.1:{port}"), replicas);
        app.UseWebSockets();
        doors.Map(app);
        await app.StartAsync();
        return doors;
    }

    private void Map(WebApplication app)
    {
        var authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization != authorization) { context.Response.StatusCode = 401; return; }
            await next();
        });
        app.Map("/ari/events", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest) { context.Response.StatusCode = 400; return; }
            var name = context.Request.Query["app"].ToString();
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            _applications[name] = new Application(name, socket);
            if (_applications.Count >= _replicas) _connected.TrySetResult();
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open && (await socket.ReceiveAsync(buffer, context.RequestAborted)).MessageType != WebSocketMessageType.Close) { }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
            _applications.TryRemove(new KeyValuePair<string, Application>(name, _applications.GetValueOrDefault(name)!));
        });
        app.MapPost("/ari/applications/{app}/subscription", (string app) => Results.Ok(new { name = app }));
        // events.json claimChannel: the first application wins the offered channel, and gets its StasisStart.
        app.MapPost("/ari/events/claim", async (string channelId, string application) =>
        {
            if (!_offers.TryGetValue(channelId, out var winner)) return Results.NotFound(new { message = "Channel not found or not in broadcast state" });
            if (winner is not null || !_offers.TryUpdate(channelId, application, null)) return Results.Conflict(new { message = "Channel has already been claimed by another application" });
            if (_calls.TryGetValue(channelId, out var call) && _applications.TryGetValue(application, out var claimer))
            {
                call.ClaimedAt = Stopwatch.GetTimestamp();
                await SendAsync(claimer, new
                {
                    type = "StasisStart",
                    args = new[] { "door", call.Tenant, call.Door, call.ApartmentNumber },
                    channel = Channel(channelId),
                });
            }
            return Results.NoContent();
        });
        app.MapGet("/ari/channels", () => Results.Json(Array.Empty<object>()));
        app.MapGet("/ari/endpoints/{tech}/{resource}", () => Results.NotFound(new { message = "Endpoint not found" }));
        app.MapPost("/ari/asterisk/variable", () => Results.NoContent());
        // asterisk.json getInfo (only=config): the system name CallApi checks against its configuration; none set here.
        app.MapGet("/ari/asterisk/info", () => Results.Json(new { config = new { name = "", default_language = "en", setid = new { user = "asterisk", group = "asterisk" } } }));
        app.MapPost("/ari/channels/{id}/ring", (string id) => Door(id, 200));
        app.MapPost("/ari/channels/{id}/continue", (string id) => Door(id, 503));
        app.MapDelete("/ari/channels/{id}", async (string id, string? reason) =>
        {
            var result = Door(id, reason switch { "unallocated" => 404, "rejected" => 403, _ => 0 });
            // The door's channel is gone: Asterisk says so (to every application: they follow the PJSIP endpoints).
            await SendToAllAsync(new { type = "ChannelDestroyed", cause = 19, cause_txt = "No user responding", channel = Channel(id) });
            return result;
        });
    }

    /// <summary>CallApi acted on a door's channel: the first action is its answer to the door.</summary>
    private IResult Door(string id, int status)
    {
        if (_calls.TryGetValue(id, out var call) && call.AnsweredAt == 0 && status != 0)
        {
            call.AnsweredAt = Stopwatch.GetTimestamp();
            call.Status = status;
        }
        return Results.NoContent();
    }

    private static object Channel(string id) => new
    {
        id, name = $"PJSIP/door-{id}", state = "Ring", caller = new { name = "", number = "" }, connected = new { name = "", number = "" },
        accountcode = "", dialplan = new { context = "neolia-door", exten = "s", priority = 1, app_name = "Stasis", app_data = "" },
        creationtime = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff") + "+0000", language = "en",
    };

    private async Task SendToAllAsync(object message)
    {
        foreach (var application in _applications.Values) await SendAsync(application, message);
    }

    private static async Task SendAsync(Application application, object message)
    {
        var node = JsonSerializer.SerializeToNode(message)!.AsObject();
        node["application"] = application.Name;
        node["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff") + "+0000";
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        await application.Send.WaitAsync();
        try
        {
            if (application.Socket.State == WebSocketState.Open) await application.Socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException) { }
        finally { application.Send.Release(); }
    }

    public (long Start, List<CallRecord> Calls, Task Done) Run(BenchTenant tenant, string runId, double rate, double seconds)
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
                var seq = Interlocked.Increment(ref _sequence);
                var call = new CallRecord
                {
                    Sequence = seq, Apartment = seq % tenant.Apartments, ChannelId = $"{runId}.{seq}",
                    Tenant = tenant.Slug, Door = tenant.DoorSipUsername, ApartmentNumber = BenchTenant.ApartmentNumber(seq % tenant.Apartments),
                };
                _calls[call.ChannelId] = call;
                _offers[call.ChannelId] = null;
                calls.Add(call);
                call.SentAt = Stopwatch.GetTimestamp();
                inflight.Add(SendToAllAsync(new { type = "CallBroadcast", channel = Channel(call.ChannelId), called = call.ApartmentNumber }));
            }
            paced.SetResult();
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "door pacer" };
        thread.Start();
        var done = paced.Task.ContinueWith(_ => Task.WhenAll(inflight), TaskScheduler.Default).Unwrap();
        return (start, calls, done);
    }

    /// <summary>The call CallApi recorded for each door channel (and how long it rings), read once after the run.</summary>
    public static async Task ResolveAsync(string databaseConnectionString, string runId, IEnumerable<CallRecord> calls)
    {
        var byChannel = calls.ToDictionary(c => c.ChannelId);
        await using var connection = new NpgsqlConnection(databaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "AsteriskCallId", "Id", EXTRACT(EPOCH FROM "ExpiresAt" - "StartedAt")::int FROM "Calls" WHERE "AsteriskCallId" LIKE @prefix""", connection);
        command.Parameters.AddWithValue("prefix", runId + ".%");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            if (!byChannel.TryGetValue(reader.GetString(0), out var call)) continue;
            call.CallId = reader.GetGuid(1);
            call.RingTimeoutSeconds = reader.GetInt32(2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
