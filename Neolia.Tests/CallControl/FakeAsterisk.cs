using Neolia.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Neolia.Tests.CallControl;

/// <summary>
/// A stand-in for Asterisk's REST interface, written from its own API description (asterisk/asterisk
/// rest-api/api-docs: channels.json, bridges.json, endpoints.json, applications.json, events.json): the real HTTP
/// routes with basic auth, and the event WebSocket <c>/ari/events?app=…</c> that carries StasisStart,
/// ChannelStateChange, ChannelDestroyed, ContactStatusChange, ChannelDtmfReceived as Asterisk writes them. It keeps
/// channels, bridges and endpoints as Asterisk would, and records every request CallApi makes. The same server plays
/// LiveKit's server API (Twirp): CreateSIPParticipant makes "LiveKit SIP" call in, as the real one calls Asterisk.
/// </summary>
public sealed class FakeAsterisk : IAsyncDisposable
{
    public const string Username = "neolia-test";
    public readonly string Password = "ari-" + Guid.NewGuid().ToString("N");
    public const string App = "neolia";

    public sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Query, DateTimeOffset At);

    public sealed class Channel
    {
        public required string Id { get; init; }
        public required string Name { get; init; }
        public string State { get; set; } = "Ring";
        public string? Exten { get; init; }
        public string? Context { get; init; }
        public string[] AppArgs { get; init; } = [];
        public string? HangupReason { get; set; }
        public DateTimeOffset? HungUpAt { get; set; }
        public List<string> Dtmf { get; } = [];
        public Dictionary<string, string> Variables { get; } = [];
    }

    private readonly WebApplication _app;
    private readonly object _sync = new();
    private WebSocket? _events;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sequence;

    public ConcurrentQueue<Request> Requests { get; } = new();
    public ConcurrentDictionary<string, Channel> Channels { get; } = new();
    /// <summary>Every channel ever created, hung up or not (to read how it ended).</summary>
    public ConcurrentDictionary<string, Channel> AllChannels { get; } = new();
    public ConcurrentDictionary<string, List<string>> Bridges { get; } = new();
    /// <summary>PJSIP endpoint → online | offline.</summary>
    public ConcurrentDictionary<string, string> Endpoints { get; } = new();
    public ConcurrentQueue<JsonObject> SipParticipants { get; } = new();
    public ConcurrentDictionary<string, string> GlobalVariables { get; } = new();

    /// <summary>What CreateSIPParticipant answers: null for success, else the HTTP status of a Twirp error.</summary>
    public int? LiveKitSipFailure { get; set; }
    public int Connections { get; private set; }

    /// <summary>Awaited before a request is answered: a test holds some requests (a slow Asterisk, a slow network) and lets others through.</summary>
    public Func<Request, Task>? HoldRequest { get; set; }

    private FakeAsterisk(WebApplication app) => _app = app;

    public string Url => LoopbackServer.UrlOf(_app);

    public static async Task<FakeAsterisk> StartAsync()
    {
        var app = LoopbackServer.Create();
        var fake = new FakeAsterisk(app);
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/ari") && !fake.Authorized(context.Request))
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { message = "Authentication required" });
                return;
            }
            var request = new Request(context.Request.Method, context.Request.Path,
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()), DateTimeOffset.UtcNow);
            fake.Requests.Enqueue(request);
            if (fake.HoldRequest is { } hold) await hold(request);
            await next();
        });
        fake.MapAri(app);
        fake.MapLiveKit(app);
        await app.StartAsync();
        return fake;
    }

    private bool Authorized(HttpRequest request) =>
        request.Headers.Authorization.ToString() == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}"));

    /// <summary>Completes when CallApi's event WebSocket is (re)connected and has subscribed to the endpoints.</summary>
    public Task Connected => _connected.Task;

    private void MapAri(WebApplication app)
    {
        app.Map("/ari/events", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest || context.Request.Query["app"] != App) { context.Response.StatusCode = 400; return; }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            lock (_sync) { _events = socket; Connections++; }
            var buffer = new byte[1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
            lock (_sync)
            {
                if (_events == socket)
                {
                    _events = null;
                    if (_connected.Task.IsCompleted) _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        });

        app.MapPost("/ari/applications/{app}/subscription", (string app, string eventSource) =>
        {
            if (app == App && eventSource == "endpoint:PJSIP") _connected.TrySetResult();
            return Results.Ok(new { name = app, channel_ids = Array.Empty<string>(), bridge_ids = Array.Empty<string>(), endpoint_ids = new[] { "PJSIP" }, device_names = Array.Empty<string>(), events_allowed = Array.Empty<object>(), events_disallowed = Array.Empty<object>() });
        });

        app.MapGet("/ari/channels", () => Results.Json(Channels.Values.Select(Snapshot).ToList()));
        app.MapPost("/ari/channels/{id}", async (string id, string endpoint, string? app, string? appArgs, string? callerId, int? timeout, string? originator) =>
        {
            if (app != App) return Results.BadRequest(new { message = "app is required here" });
            var resource = endpoint.StartsWith("PJSIP/") ? endpoint[6..] : endpoint;
            if (originator is not null && !Channels.ContainsKey(originator)) return Results.BadRequest(new { message = "Provided originator channel was not found" });
            var channel = Add(new Channel { Id = id, Name = $"PJSIP/{resource}-{Interlocked.Increment(ref _sequence):x8}", State = "Down", AppArgs = (appArgs ?? "").Split(',') });
            // Dialling starts at once: the callee rings (as chan_pjsip reports it after 180 Ringing).
            _ = Task.Run(async () =>
            {
                await Task.Delay(20);
                channel.State = "Ringing";
                await SendAsync(new { type = "ChannelStateChange", channel = Snapshot(channel) });
            });
            await Task.CompletedTask;
            return Results.Json(Snapshot(channel));
        });
        app.MapDelete("/ari/channels/{id}", async (string id, string? reason) =>
        {
            if (!Channels.ContainsKey(id)) return Results.NotFound(new { message = "Channel not found" });
            var cause = reason switch
            {
                null or "normal" => 16, "busy" => 17, "congestion" => 34, "no_answer" => 19, "timeout" => 18, "rejected" => 21,
                "unallocated" => 1, "answered_elsewhere" => 26, "failure" => 38, _ => -1,
            };
            if (cause < 0) return Results.BadRequest(new { message = "Invalid reason for hangup provided" });
            Channels[id].HangupReason = reason ?? "normal";
            await DestroyAsync(id, cause);
            return Results.NoContent();
        });
        app.MapPost("/ari/channels/{id}/ring", (string id) => InStasis(id, _ => { }));
        app.MapPost("/ari/channels/{id}/answer", async (string id) =>
        {
            var result = InStasis(id, c => c.State = "Up");
            if (Channels.TryGetValue(id, out var c)) await SendAsync(new { type = "ChannelStateChange", channel = Snapshot(c) });
            return result;
        });
        app.MapPost("/ari/channels/{id}/continue", async (string id) =>
        {
            var result = InStasis(id, c => c.Variables["__continued"] = "yes");
            if (Channels.TryGetValue(id, out var c)) await SendAsync(new { type = "StasisEnd", channel = Snapshot(c) });
            return result;
        });
        app.MapPost("/ari/channels/{id}/dtmf", (string id, string? dtmf) =>
            string.IsNullOrEmpty(dtmf) ? Results.BadRequest(new { message = "DTMF is required" }) : InStasis(id, c => c.Dtmf.Add(dtmf)));
        app.MapPost("/ari/channels/{id}/variable", (string id, string variable, string? value) => InStasis(id, c => c.Variables[variable] = value ?? ""));
        app.MapPost("/ari/asterisk/variable", (string variable, string? value) =>
        {
            if (variable.EndsWith(')')) return Results.BadRequest(new { message = "Dangerous function write blocked" });
            GlobalVariables[variable] = value ?? "";
            return Results.NoContent();
        });

        app.MapPost("/ari/bridges/{id}", (string id, string? type) =>
        {
            Bridges.TryAdd(id, []);
            return Results.Json(new { id, technology = "simple_bridge", bridge_type = type ?? "mixing", bridge_class = "stasis", creator = App, name = "", channels = Bridges[id], creationtime = Now() });
        });
        app.MapPost("/ari/bridges/{id}/addChannel", (string id, string channel) =>
        {
            if (!Bridges.TryGetValue(id, out var members)) return Results.NotFound(new { message = "Bridge not found" });
            var ids = channel.Split(',');
            if (ids.Any(c => !Channels.ContainsKey(c))) return Results.BadRequest(new { message = "Channel not found" });
            lock (members) members.AddRange(ids);
            return Results.NoContent();
        });
        app.MapDelete("/ari/bridges/{id}", (string id) => Bridges.TryRemove(id, out _) ? Results.NoContent() : Results.NotFound(new { message = "Bridge not found" }));

        app.MapGet("/ari/endpoints/{tech}/{resource}", (string tech, string resource) =>
            tech == "PJSIP" && Endpoints.TryGetValue(resource, out var state)
                ? Results.Json(new { technology = tech, resource, state, channel_ids = Channels.Values.Where(c => c.Name.StartsWith($"PJSIP/{resource}-")).Select(c => c.Id).ToList() })
                : Results.NotFound(new { message = "Endpoint not found" }));
    }

    private void MapLiveKit(WebApplication app)
    {
        app.MapPost("/twirp/livekit.RoomService/{method}", () => Results.Json(new { }));
        app.MapPost("/twirp/livekit.SIP/ListSIPOutboundTrunk", () => Results.Json(new { items = Array.Empty<object>() }));
        app.MapPost("/twirp/livekit.SIP/CreateSIPOutboundTrunk", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            return Results.Json(new { sipTrunkId = "ST_fake", name = body?["trunk"]?["name"]?.GetValue<string>() });
        });
        app.MapPost("/twirp/livekit.SIP/CreateSIPParticipant", async (HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            SipParticipants.Enqueue(body);
            if (LiveKitSipFailure is { } status) return Results.Json(new { code = "unavailable", msg = "no SIP service" }, statusCode: status);
            var callTo = body["sipCallTo"]!.GetValue<string>();
            _ = Task.Run(async () =>
            {
                await Task.Delay(50);
                await LiveKitCallsInAsync(callTo);
            });
            return Results.Json(new { participantId = "PA_door", participantIdentity = body["participantIdentity"]?.GetValue<string>(), roomName = body["roomName"]?.GetValue<string>(), sipCallId = "SCL_fake" });
        });
    }

    /// <summary>
    /// LiveKit SIP calls Asterisk (after a CreateSIPParticipant, here or on another LiveKit stand-in): the "livekit"
    /// endpoint's context hands the call to Stasis(neolia,livekit,<exten>). Returns the new channel's id.
    /// </summary>
    public async Task<string> LiveKitCallsInAsync(string callTo)
    {
        var channel = Add(new Channel
        {
            Id = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Interlocked.Increment(ref _sequence)}",
            Name = $"PJSIP/livekit-{_sequence:x8}", Exten = callTo, Context = "neolia-livekit",
        });
        await SendAsync(new { type = "StasisStart", args = new[] { "livekit", callTo }, channel = Snapshot(channel) });
        return channel.Id;
    }

    private IResult InStasis(string id, Action<Channel> change)
    {
        if (!Channels.TryGetValue(id, out var channel)) return Results.NotFound(new { message = "Channel not found" });
        change(channel);
        return Results.NoContent();
    }

    private Channel Add(Channel channel)
    {
        Channels[channel.Id] = channel;
        AllChannels[channel.Id] = channel;
        return channel;
    }

    /// <summary>ARI's timestamp format, e.g. 2026-12-01T23:09:00.000+0000.</summary>
    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) + "+0000";

    private static object Snapshot(Channel c) => new
    {
        id = c.Id, name = c.Name, state = c.State,
        caller = new { name = "", number = "" }, connected = new { name = "", number = "" }, accountcode = "",
        dialplan = new { context = c.Context ?? "neolia-door", exten = c.Exten ?? "s", priority = 1, app_name = "Stasis", app_data = "" },
        creationtime = Now(), language = "en",
    };

    public async Task SendAsync(object message)
    {
        var node = JsonSerializer.SerializeToNode(message)!.AsObject();
        node["application"] = App;
        node["timestamp"] = Now();
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        WebSocket? socket;
        lock (_sync) socket = _events;
        if (socket is null) return; // nobody subscribed: Asterisk drops the event
        await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
    }

    // --- What Asterisk's other side does: the door, the phones, the network. ---

    /// <summary>A door dials an apartment: its channel enters Stasis(neolia,door,tenant,door,exten).</summary>
    public async Task<string> RingDoorAsync(string tenant, string door, string apartment)
    {
        var channel = Add(new Channel
        {
            Id = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Interlocked.Increment(ref _sequence)}",
            Name = $"PJSIP/{door}-{_sequence:x8}", Exten = apartment, State = "Ring",
        });
        await SendAsync(new { type = "StasisStart", args = new[] { "door", tenant, door, apartment }, channel = Snapshot(channel) });
        return channel.Id;
    }

    /// <summary>A dialled SIP phone answers: its channel enters the application with the originate's appArgs.</summary>
    public async Task AnswerLegAsync(string channelId)
    {
        var channel = Channels[channelId];
        channel.State = "Up";
        await SendAsync(new { type = "ChannelStateChange", channel = Snapshot(channel) });
        await SendAsync(new { type = "StasisStart", args = channel.AppArgs, channel = Snapshot(channel) });
    }

    /// <summary>A channel hangs up from its side (the visitor, a phone that declines with 486 → cause 17, …).</summary>
    public Task HangUpFromOutsideAsync(string channelId, int cause = 16) => DestroyAsync(channelId, cause);

    public async Task DestroyAsync(string channelId, int cause, bool announce = true)
    {
        if (!Channels.TryRemove(channelId, out var channel)) return;
        channel.HungUpAt = DateTimeOffset.UtcNow;
        foreach (var members in Bridges.Values) lock (members) members.Remove(channelId);
        if (announce) await SendAsync(new { type = "ChannelDestroyed", cause, cause_txt = $"cause {cause}", channel = Snapshot(channel) });
    }

    /// <summary>A channel's StasisStart delivered once more (as after a reconnection), with the arguments Stasis() gave it.</summary>
    public Task RepeatStasisStartAsync(string channelId, params string[] args) =>
        SendAsync(new { type = "StasisStart", args, channel = Snapshot(Channels[channelId]) });

    /// <summary>Asterisk reports the end of a channel already gone once more (a late or repeated ChannelDestroyed).</summary>
    public Task RepeatChannelDestroyedAsync(string channelId, int cause = 16) =>
        SendAsync(new { type = "ChannelDestroyed", cause, cause_txt = $"cause {cause}", channel = Snapshot(AllChannels[channelId]) });

    /// <summary>Whether CallApi handed the channel back to the dialplan (POST /channels/{id}/continue): the fallback after Stasis() runs.</summary>
    public bool Continued(string channelId) => AllChannels.TryGetValue(channelId, out var c) && c.Variables.ContainsKey("__continued");

    /// <summary>A SIP endpoint registers (or was registered before the call).</summary>
    public async Task RegisterAsync(string resource, bool announce = true)
    {
        Endpoints[resource] = "online";
        if (announce)
        {
            await SendAsync(new
            {
                type = "ContactStatusChange",
                endpoint = new { technology = "PJSIP", resource, state = "online", channel_ids = Array.Empty<string>() },
                contact_info = new { uri = $"sip:{resource}@192.0.2.10:5060", contact_status = "Reachable", aor = resource, roundtrip_usec = "0" },
            });
        }
    }

    public async Task SendDtmfFromAsync(string channelId, string digit) =>
        await SendAsync(new { type = "ChannelDtmfReceived", digit, duration_ms = 100, channel = Snapshot(Channels[channelId]) });

    /// <summary>Drops CallApi's event WebSocket as a network cut or an Asterisk restart would; the next connection completes <see cref="Connected"/> again.</summary>
    public void DropEventStream()
    {
        WebSocket? socket;
        lock (_sync) { socket = _events; _events = null; _connected = new(TaskCreationOptions.RunContinuationsAsynchronously); }
        socket?.Abort();
    }

    public IReadOnlyList<Request> RequestsTo(string method, string pathPrefix) =>
        Requests.Where(r => r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();

    /// <summary>The legs CallApi originated for a door channel (ids it chose), in order.</summary>
    public IReadOnlyList<Request> Originates(string doorChannelId) =>
        Requests.Where(r => r.Method == "POST" && r.Path.StartsWith("/ari/channels/") && r.Query.TryGetValue("originator", out var o) && o == doorChannelId).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
