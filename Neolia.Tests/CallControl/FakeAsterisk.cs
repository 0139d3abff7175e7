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
/// rest-api/api-docs: channels.json, bridges.json, endpoints.json, applications.json, events.json) and kept to what
/// a real Asterisk 22 sends (the recordings in <c>Recordings/</c>, compared by <see cref="AriRecordingTests"/>): the
/// real HTTP routes with basic auth, and the event WebSocket <c>/ari/events?app=…</c> with the events of each channel
/// in Asterisk's order (ChannelCreated, ChannelVarset, ChannelDialplan, ChannelCallerId, StasisStart, Dial,
/// ChannelStateChange, ChannelEnteredBridge, ChannelHangupRequest, ChannelLeftBridge, StasisEnd, ChannelDestroyed),
/// the endpoints' EndpointStateChange, PeerStatusChange and ContactStatusChange, and ChannelDtmfReceived.
/// Like Asterisk it delivers a channel's event once per subscription of the application: once through the
/// <c>endpoint:PJSIP</c> subscription CallApi makes, and once more while the channel is in the application (a
/// dialplan channel between StasisStart and StasisEnd; a channel CallApi originated, from its first Dial until it is
/// destroyed), so most events come twice, as they do from Asterisk. It keeps channels, bridges and endpoints as
/// Asterisk would, and records every request CallApi makes (<see cref="Exchanges"/> with the status answered) and
/// every event sent (<see cref="SentEvents"/>). The same server plays LiveKit's server API (Twirp):
/// CreateSIPParticipant makes "LiveKit SIP" call in, as the real one calls Asterisk.
/// Several applications may connect (one per CallApi replica, each its own <c>/ari/events?app=…</c>), and the dialplan's
/// <c>StasisBroadcast()</c> is played as app_stasis_broadcast.c and res_stasis_broadcast.c do it: a CallBroadcast
/// event to every registered application matching the filter (in random order; one whose socket is gone misses it),
/// the first <c>POST /events/claim</c> wins (204), a later one gets 409, one after the broadcast ended without a
/// winner 404; no claim within the timeout and the channel goes on in the dialplan (STASISSTATUS=TIMEOUT: the
/// fallback), a winner whose application is gone makes it FAILED (the fallback too), else the winner gets StasisStart.
/// Each application gets a channel's events once per subscription of its own: the endpoint subscription, and the
/// channel's when it is in that application.
/// </summary>
public sealed class FakeAsterisk : IAsyncDisposable
{
    public const string Username = "neolia-test";
    public readonly string Password = "ari-" + Guid.NewGuid().ToString("N");
    /// <summary>The prefix of CallApi's applications (<c>CallControl:StasisApplication</c>).</summary>
    public const string App = "neolia";

    /// <summary>extensions.conf's <c>StasisBroadcast(1000,^neolia-,…)</c> (DialplanContractTests keeps the two equal).</summary>
    public const int BroadcastTimeoutMs = 1000;
    public const string BroadcastFilter = "^neolia-";

    public sealed record Request(string Method, string Path, IReadOnlyDictionary<string, string> Query, DateTimeOffset At);

    /// <summary>A request and the HTTP status the stand-in answered it with.</summary>
    public sealed record Exchange(Request Request, int Status);

    public sealed class Channel
    {
        public required string Id { get; init; }
        public required string Name { get; init; }
        public string State { get; set; } = "Ring";
        public string? Exten { get; set; }
        public string? Context { get; set; }
        public string[] AppArgs { get; init; } = [];
        public string? HangupReason { get; set; }
        public DateTimeOffset? HungUpAt { get; set; }
        public List<string> Dtmf { get; } = [];
        public Dictionary<string, string> Variables { get; } = [];
        /// <summary>The PJSIP endpoint the channel belongs to (the door's, a phone's, <c>livekit</c>).</summary>
        public string? Endpoint { get; init; }
        public string? Tenant { get; init; }
        public string CallerNumber { get; set; } = "";
        /// <summary>Between StasisStart and StasisEnd.</summary>
        public bool InStasis { get; set; }
        /// <summary>Created by CallApi's originate (POST /channels/{id}): subscribed to the application until destroyed.</summary>
        public bool Originated { get; init; }
        /// <summary>Subscribed through the originate (from its first Dial event on).</summary>
        public bool Subscribed { get; set; }
        /// <summary>The bridge the channel is in.</summary>
        public string? Bridge { get; set; }
        public string DialplanApp { get; set; } = "";
        /// <summary>The application the channel is in (StasisStart) or was originated into.</summary>
        public string? App { get; set; }
        public string DialplanAppData { get; set; } = "";
        public int Priority { get; set; } = 1;
        public string CreatedAt { get; } = Now();
    }

    private readonly WebApplication _app;
    private readonly object _sync = new();
    /// <summary>A Stasis application as Asterisk keeps it: registered by its first connection, inactive while it has none.</summary>
    private sealed class Application(string name)
    {
        public string Name { get; } = name;
        public WebSocket? Socket { get; set; }
        public bool EndpointsSubscribed { get; set; }
        public IReadOnlySet<string>? Allowed { get; set; }
        public SemaphoreSlim Send { get; } = new(1, 1);
    }

    private sealed class PendingBroadcast
    {
        public string? Winner { get; set; }
        public bool Finished { get; set; }
        public TaskCompletionSource Claimed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>How a StasisBroadcast() ended: the winner, and STASISSTATUS (SUCCESS: in the winner's application; TIMEOUT, FAILED: the dialplan's fallback).</summary>
    public sealed record BroadcastOutcome(string? Winner, string Status, DateTimeOffset StartedAt, DateTimeOffset EndedAt);

    private readonly ConcurrentDictionary<string, Application> _applications = new();
    private readonly ConcurrentDictionary<string, PendingBroadcast> _broadcasts = new();
    private readonly ConcurrentDictionary<string, string> _bridgeApps = new();
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sequence;

    public ConcurrentQueue<Request> Requests { get; } = new();
    /// <summary>Every request with the status it was answered with, in the order the answers were sent.</summary>
    public ConcurrentQueue<Exchange> Exchanges { get; } = new();

    /// <summary>The modules a reload may name (<c>module show</c>): those the shipped modules.conf loads that CallApi reloads.</summary>
    public static readonly IReadOnlySet<string> RunningModules = new HashSet<string> { "res_config_pgsql.so", "res_pjsip.so" };
    /// <summary>Every event sent on the event WebSocket, as sent.</summary>
    public ConcurrentQueue<JsonObject> SentEvents { get; } = new();
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

    /// <summary>Every StasisBroadcast() by channel, once it ended.</summary>
    public ConcurrentDictionary<string, BroadcastOutcome> Broadcasts { get; } = new();

    /// <summary>As a freshly started Asterisk whose SIP accounts are all in realtime: <c>endpoint:PJSIP</c> does not exist (422) until one account is loaded.</summary>
    public bool NoEndpointInMemory { get; set; }

    /// <summary>While true, the event WebSocket is refused (Asterisk down or starting).</summary>
    public bool RefuseEventStream { get; set; }

    /// <summary>The applications whose event WebSocket is open and subscribed to the endpoints (CallApi replicas ready for calls).</summary>
    public IReadOnlyList<string> ReadyApplications =>
        [.. _applications.Values.Where(a => a.Socket is not null && a.EndpointsSubscribed).Select(a => a.Name).Order()];

    /// <summary>Every application ever registered (connected once), connected or not.</summary>
    public IReadOnlyList<string> Applications => [.. _applications.Keys.Order()];

    public Task WaitForApplicationsAsync(int count, TimeSpan timeout) =>
        Eventually.TrueAsync(() => ReadyApplications.Count >= count, timeout, $"{count} applications connected");

    /// <summary>Awaited before a request is answered: a test holds some requests (a slow Asterisk, a slow network) and lets others through.</summary>
    public Func<Request, Task>? HoldRequest { get; set; }

    private FakeAsterisk(WebApplication app, string? systemName)
    {
        _app = app;
        SystemName = systemName;
    }

    /// <summary>
    /// asterisk.conf's <c>systemname</c>, or null for none: Asterisk then starts every channel id it makes with
    /// <c>{systemname}-</c> (channel_internal_api.c) and answers it as <c>config.name</c> of <c>GET /asterisk/info</c>.
    /// </summary>
    public string? SystemName { get; }

    /// <summary>LiveKit SIP's outbound trunks created here: trunk id → (name, address).</summary>
    public ConcurrentDictionary<string, (string Name, string Address)> LiveKitTrunks { get; } = new();

    /// <summary>
    /// Where LiveKit SIP's calls go, by trunk address (the LiveKit stand-in is one server; several Asterisks are several
    /// stand-ins): a trunk address not listed calls this one.
    /// </summary>
    public ConcurrentDictionary<string, FakeAsterisk> LiveKitSipTargets { get; } = new();

    private string NewChannelId() =>
        $"{(SystemName is null ? "" : SystemName + "-")}{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Interlocked.Increment(ref _sequence)}";

    public string Url => LoopbackServer.UrlOf(_app);

    public static async Task<FakeAsterisk> StartAsync(string? systemName = null)
    {
        var app = LoopbackServer.Create();
        var fake = new FakeAsterisk(app, systemName);
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
            fake.Exchanges.Enqueue(new Exchange(request, context.Response.StatusCode));
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
            var name = context.Request.Query["app"].ToString();
            if (!context.WebSockets.IsWebSocketRequest || name.Length == 0) { context.Response.StatusCode = 400; return; }
            if (RefuseEventStream) { context.Response.StatusCode = 503; return; }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var application = _applications.GetOrAdd(name, n => new Application(n));
            WebSocket? replaced;
            // A new connection registers the application afresh: its subscriptions come with the next subscribe.
            lock (_sync) { replaced = application.Socket; application.Socket = socket; Connections++; application.EndpointsSubscribed = false; }
            if (replaced is not null) await SendOnAsync(application, replaced, new JsonObject { ["type"] = "ApplicationReplaced" });
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
                if (application.Socket == socket)
                {
                    application.Socket = null;
                    if (_applications.Values.All(a => a.Socket is null) && _connected.Task.IsCompleted) _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        });

        // applications.json "filter": the event types the application gets; an empty or absent allowed list means all.
        app.MapPut("/ari/applications/{app}/eventFilter", async (string app, HttpRequest request) =>
        {
            if (!_applications.TryGetValue(app, out var application)) return Results.NotFound(new { message = "Application not found" });
            var body = await JsonNode.ParseAsync(request.Body);
            if (body?["allowed"] is JsonArray allowed)
            {
                application.Allowed = allowed.Select(a => a?["type"]?.GetValue<string>()).OfType<string>().ToHashSet();
            }
            return Results.Json(ApplicationSnapshot(application));
        });

        app.MapPost("/ari/applications/{app}/subscription", (string app, string eventSource) =>
        {
            if (!_applications.TryGetValue(app, out var application)) return Results.NotFound(new { message = "Application not found" });
            if (eventSource == "endpoint:PJSIP")
            {
                if (NoEndpointInMemory) return Results.UnprocessableEntity(new { message = "Event source does not exist" });
                application.EndpointsSubscribed = true;
                _connected.TrySetResult();
            }
            return Results.Ok(ApplicationSnapshot(application));
        });
        app.MapGet("/ari/applications/{app}", (string app) =>
            _applications.TryGetValue(app, out var application) ? Results.Json(ApplicationSnapshot(application)) : Results.NotFound(new { message = "Application not found" }));

        // events.json "claimChannel" (res/ari/resource_events.c, res_stasis_broadcast.c).
        app.MapPost("/ari/events/claim", (string? channelId, string? application) =>
        {
            if (string.IsNullOrEmpty(channelId)) return Results.BadRequest(new { message = "channelId parameter is required" });
            if (string.IsNullOrEmpty(application)) return Results.BadRequest(new { message = "application parameter is required" });
            if (!_broadcasts.TryGetValue(channelId, out var broadcast)) return Results.NotFound(new { message = "Channel not found or not in broadcast state" });
            lock (broadcast)
            {
                if (broadcast.Winner is not null) return Results.Conflict(new { message = "Channel has already been claimed by another application" });
                if (broadcast.Finished) return Results.NotFound(new { message = "Channel not found or not in broadcast state" });
                broadcast.Winner = application;
            }
            broadcast.Claimed.TrySetResult();
            return Results.NoContent();
        });

        // deviceStates.json "get": for PJSIP/<account> chan_pjsip reads the account (from realtime), which creates its endpoint.
        app.MapGet("/ari/deviceStates/{device}", (string device) =>
        {
            device = Uri.UnescapeDataString(device); // res_ari.c decodes each path segment after splitting the path
            if (device.StartsWith("PJSIP/", StringComparison.Ordinal)) NoEndpointInMemory = false;
            return Results.Json(new { name = device, state = Endpoints.GetValueOrDefault(device["PJSIP/".Length..]) == "online" ? "NOT_INUSE" : "UNAVAILABLE" });
        });

        app.MapGet("/ari/channels", () => Results.Json(Channels.Values.Select(Snapshot).ToList()));
        // channels.json get: the channel, or 404 once it is gone.
        app.MapGet("/ari/channels/{id}", (string id) =>
            Channels.TryGetValue(id, out var channel) ? Results.Json(Snapshot(channel)) : Results.NotFound(new { message = "Channel not found" }));
        app.MapPost("/ari/channels/{id}", async (string id, string endpoint, string? app, string? appArgs, string? callerId, int? timeout, string? originator) =>
        {
            if (string.IsNullOrEmpty(app)) return Results.BadRequest(new { message = "app is required here" });
            var resource = endpoint.StartsWith("PJSIP/") ? endpoint[6..] : endpoint;
            if (originator is not null && !Channels.TryGetValue(originator, out _)) return Results.BadRequest(new { message = "Provided originator channel was not found" });
            var tenant = originator is not null && Channels.TryGetValue(originator, out var door) ? door.Tenant : null;
            var channel = Add(new Channel
            {
                Id = id, Name = $"PJSIP/{resource}-{Interlocked.Increment(ref _sequence):x8}", State = "Down", AppArgs = (appArgs ?? "").Split(','),
                Endpoint = resource, Tenant = tenant, Originated = true, Context = "neolia-residents", Exten = "s", App = app,
                DialplanApp = "AppDial2", DialplanAppData = "(Outgoing Line)", CallerNumber = CallerNumberOf(callerId),
            });
            // What Asterisk sends while it sets the channel up, before the application is subscribed to it: once.
            await EndpointStateAsync(resource);
            await ChannelEventAsync(channel, "ChannelCreated");
            if (tenant is not null) await ChannelEventAsync(channel, "ChannelVarset", new { variable = "NEOLIA_TENANT", value = tenant });
            await ChannelEventAsync(channel, "ChannelDialplan", new { dialplan_app = "AppDial2", dialplan_app_data = "(Outgoing Line)" });
            await ChannelEventAsync(channel, "ChannelConnectedLine");
            await ChannelEventAsync(channel, "ChannelCallerId", new { caller_presentation = 0, caller_presentation_txt = "Presentation Allowed, Not Screened" });
            var answer = Results.Json(Snapshot(channel));
            // Dialling starts at once: the callee rings (as chan_pjsip reports it after 180 Ringing).
            _ = Task.Run(async () =>
            {
                channel.Subscribed = true;
                await DialAsync(channel, "");
                await Task.Delay(20);
                if (!Channels.ContainsKey(channel.Id) || channel.State != "Down") return;
                channel.State = "Ringing";
                await ChannelEventAsync(channel, "ChannelStateChange");
                await DialAsync(channel, "RINGING");
            });
            return answer;
        });
        app.MapDelete("/ari/channels/{id}", async (string id, string? reason) =>
        {
            if (!Channels.TryGetValue(id, out var channel)) return Results.NotFound(new { message = "Channel not found" });
            var cause = reason switch
            {
                null or "normal" => 16, "busy" => 17, "congestion" => 34, "no_answer" => 19, "timeout" => 18, "rejected" => 21,
                "unallocated" => 1, "normal_unspecified" => 31, "number_incomplete" => 28, "codec_mismatch" => 58, "interworking" => 127,
                "failure" => 38, "answered_elsewhere" => 26, _ => -1,
            };
            if (cause < 0) return Results.BadRequest(new { message = "Invalid reason for hangup reason provided" });
            channel.HangupReason = reason ?? "normal";
            // ARI's hangup is a soft hangup requested by the application (cause 32 in ChannelHangupRequest); the channel ends with the reason's cause.
            await HangUpAsync(channel, cause, new { cause = 32, soft = true });
            return Results.NoContent();
        });
        app.MapPost("/ari/channels/{id}/ring", (string id) => InStasis(id, _ => { }));
        app.MapPost("/ari/channels/{id}/answer", async (string id) =>
        {
            if (!Channels.TryGetValue(id, out var channel)) return Results.NotFound(new { message = "Channel not found" });
            if (channel.State != "Up")
            {
                channel.State = "Up";
                await ChannelEventAsync(channel, "ChannelStateChange");
            }
            return Results.NoContent();
        });
        app.MapPost("/ari/channels/{id}/continue", async (string id) =>
        {
            var result = InStasis(id, c => c.Variables["__continued"] = "yes");
            if (Channels.TryGetValue(id, out var c) && c.InStasis)
            {
                c.InStasis = false;
                await SendToChannelAppAsync(c, new { type = "StasisEnd", channel = Snapshot(c) });
            }
            return result;
        });
        app.MapPost("/ari/channels/{id}/dtmf", (string id, string? dtmf) =>
            string.IsNullOrEmpty(dtmf) ? Results.BadRequest(new { message = "DTMF is required" }) : InStasis(id, c => c.Dtmf.Add(dtmf)));
        app.MapPost("/ari/channels/{id}/variable", (string id, string variable, string? value) => InStasis(id, c => c.Variables[variable] = value ?? ""));
        // asterisk.json getInfo: with only=config, the ConfigInfo alone (name is the system name, "" for none).
        app.MapGet("/ari/asterisk/info", (string? only) =>
        {
            var config = new { name = SystemName ?? "", default_language = "en", setid = new { user = "asterisk", group = "asterisk" } };
            return only == "config" ? Results.Json(new { config }) : Results.Json(new { config, system = new { version = "22.10.1", entity_id = "00:00:00:00:00:00" } });
        });
        // asterisk.json "reloadModule": 204, or 404 for a module that is not running.
        app.MapPut("/ari/asterisk/modules/{module}", (string module) =>
            RunningModules.Contains(module) ? Results.NoContent() : Results.NotFound(new { message = "Module not found in running modules" }));
        app.MapPost("/ari/asterisk/variable", (string variable, string? value) =>
        {
            if (variable.EndsWith(')')) return Results.BadRequest(new { message = "Dangerous function write blocked" });
            GlobalVariables[variable] = value ?? "";
            return Results.NoContent();
        });

        app.MapPost("/ari/bridges/{id}", (string id, string? type) =>
        {
            Bridges.TryAdd(id, []);
            return Results.Json(BridgeSnapshot(id, type));
        });
        app.MapPost("/ari/bridges/{id}/addChannel", async (string id, string channel) =>
        {
            if (!Bridges.TryGetValue(id, out var members)) return Results.NotFound(new { message = "Bridge not found" });
            var ids = channel.Split(',');
            if (ids.Any(c => !Channels.ContainsKey(c))) return Results.BadRequest(new { message = "Channel not found" });
            foreach (var added in ids)
            {
                lock (members) members.Add(added);
                var c = Channels[added];
                c.Bridge = id;
                if (c.App is { } owner) _bridgeApps.TryAdd(id, owner);
                await SendToChannelAppAsync(c, new { type = "ChannelEnteredBridge", bridge = BridgeSnapshot(id), channel = Snapshot(c) });
            }
            return Results.NoContent();
        });
        app.MapGet("/ari/bridges/{id}", (string id) =>
            Bridges.ContainsKey(id) ? Results.Json(BridgeSnapshot(id)) : Results.NotFound(new { message = "Bridge not found" }));
        app.MapDelete("/ari/bridges/{id}", async (string id) =>
        {
            if (!Bridges.TryRemove(id, out _)) return Results.NotFound(new { message = "Bridge not found" });
            foreach (var c in Channels.Values.Where(c => c.Bridge == id)) await LeaveBridgeAsync(c);
            if (_bridgeApps.TryRemove(id, out var owner) && _applications.TryGetValue(owner, out var application))
                await SendToAsync(application, new { type = "BridgeDestroyed", bridge = BridgeSnapshot(id, channels: []) });
            return Results.NoContent();
        });

        // A realtime account Asterisk has no contact for is "offline" (200), not unknown: every endpoint CallApi asks
        // about is a row of ps_endpoints. Only another technology is unknown.
        app.MapGet("/ari/endpoints/{tech}/{resource}", (string tech, string resource) =>
            tech == "PJSIP"
                ? Results.Json(EndpointSnapshot(resource))
                : Results.NotFound(new { message = "Endpoint not found" }));
    }

    private void MapLiveKit(WebApplication app)
    {
        app.MapPost("/twirp/livekit.RoomService/{method}", () => Results.Json(new { }));
        app.MapPost("/twirp/livekit.SIP/ListSIPOutboundTrunk", () =>
            Results.Json(new { items = LiveKitTrunks.Select(t => new { sipTrunkId = t.Key, name = t.Value.Name, address = t.Value.Address }).ToList() }));
        app.MapPost("/twirp/livekit.SIP/CreateSIPOutboundTrunk", async (HttpRequest request) =>
        {
            var trunk = (await JsonNode.ParseAsync(request.Body))?["trunk"];
            var name = trunk?["name"]?.GetValue<string>() ?? "";
            // The first trunk is "ST_fake"; more (one per Asterisk) are numbered.
            var id = LiveKitTrunks.IsEmpty ? "ST_fake" : $"ST_fake{LiveKitTrunks.Count + 1}";
            LiveKitTrunks[id] = (name, trunk?["address"]?.GetValue<string>() ?? "");
            return Results.Json(new { sipTrunkId = id, name });
        });
        app.MapPost("/twirp/livekit.SIP/CreateSIPParticipant", async (HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            SipParticipants.Enqueue(body);
            if (LiveKitSipFailure is { } status) return Results.Json(new { code = "unavailable", msg = "no SIP service" }, statusCode: status);
            var callTo = body["sipCallTo"]!.GetValue<string>();
            var target = body["sipTrunkId"]?.GetValue<string>() is { } trunkId && LiveKitTrunks.TryGetValue(trunkId, out var t)
                && LiveKitSipTargets.TryGetValue(t.Address, out var other) ? other : this;
            _ = Task.Run(async () =>
            {
                await Task.Delay(50);
                await target.LiveKitCallsInAsync(callTo);
            });
            return Results.Json(new { participantId = "PA_door", participantIdentity = body["participantIdentity"]?.GetValue<string>(), roomName = body["roomName"]?.GetValue<string>(), sipCallId = "SCL_fake" });
        });
    }

    /// <summary>
    /// LiveKit SIP calls Asterisk (after a CreateSIPParticipant, here or on another LiveKit stand-in): the "livekit"
    /// endpoint's context offers the call with StasisBroadcast(1000,^neolia-,livekit:<exten>). Returns the new channel's id.
    /// </summary>
    public async Task<string> LiveKitCallsInAsync(string callTo)
    {
        var channel = Add(new Channel
        {
            Id = NewChannelId(),
            Name = $"PJSIP/livekit-{_sequence:x8}", Exten = callTo, Context = "neolia-livekit", Endpoint = "livekit", CallerNumber = "livekit",
        });
        await EndpointStateAsync("livekit");
        await ChannelEventAsync(channel, "ChannelCreated");
        await ChannelEventAsync(channel, "ChannelVarset", new { variable = "SIPDOMAIN", value = "127.0.0.1" });
        // [neolia-livekit]: StasisBroadcast(1000,^neolia-,livekit:<exten>), then Hangup(34) if nobody took it.
        var winner = await BroadcastAsync(channel, ["livekit", callTo]);
        if (winner is null)
        {
            await HangUpAsync(channel, 34, new { cause = 34 });
            return channel.Id;
        }
        await EnterStasisAsync(channel, winner, ["livekit", callTo]);
        return channel.Id;
    }

    /// <summary>
    /// StasisBroadcast() as app_stasis_broadcast.c runs it: CallBroadcast to every registered application matching
    /// the filter (shuffled; an inactive one misses it), then the wait for a claim. Returns the winner whose
    /// application is active, or null when the channel goes on in the dialplan (TIMEOUT, or FAILED for a winner gone).
    /// </summary>
    private async Task<string?> BroadcastAsync(Channel channel, string[] args, string applicationFilter = BroadcastFilter)
    {
        var started = DateTimeOffset.UtcNow;
        var pending = new PendingBroadcast();
        _broadcasts[channel.Id] = pending;
        await DialplanAsync(channel, "StasisBroadcast", $"{BroadcastTimeoutMs},{applicationFilter},{string.Join(':', args)}");
        await ChannelEventAsync(channel, "ChannelVarset", new { variable = "STASISSTATUS", value = "" });
        var offered = _applications.Values.Where(a => System.Text.RegularExpressions.Regex.IsMatch(a.Name, applicationFilter)).OrderBy(_ => Random.Shared.Next()).ToList();
        foreach (var application in offered)
            await SendToAsync(application, new { type = "CallBroadcast", channel = Snapshot(channel), caller = channel.CallerNumber, called = channel.Exten ?? "" });
        await Task.WhenAny(pending.Claimed.Task, Task.Delay(BroadcastTimeoutMs));
        string? winner;
        lock (pending) { pending.Finished = true; winner = pending.Winner; }
        // Without a winner the context goes at once (a late claim: 404); with one it stays for the Stasis session (409).
        if (winner is null) _broadcasts.TryRemove(channel.Id, out _);
        var active = winner is not null && _applications.TryGetValue(winner, out var w) && w.Socket is not null;
        var status = winner is null ? "TIMEOUT" : active ? "SUCCESS" : "FAILED";
        Broadcasts[channel.Id] = new BroadcastOutcome(winner, status, started, DateTimeOffset.UtcNow);
        if (active) return winner;
        await ChannelEventAsync(channel, "ChannelVarset", new { variable = "STASISSTATUS", value = status });
        channel.Variables["__fallback"] = status;
        return null;
    }

    private async Task EnterStasisAsync(Channel channel, string application, string[] args)
    {
        channel.App = application;
        channel.InStasis = true;
        await SendToChannelAppAsync(channel, new { type = "StasisStart", args, channel = Snapshot(channel) });
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

    private static string CallerNumberOf(string? callerId) =>
        callerId is { } id && id.LastIndexOf('<') is var lt and >= 0 && id.IndexOf('>', lt) is var gt and > 0 ? id[(lt + 1)..gt] : callerId ?? "";

    private static object Snapshot(Channel c)
    {
        var node = new JsonObject
        {
            ["id"] = c.Id, ["name"] = c.Name, ["state"] = c.State, ["protocol_id"] = "",
            ["caller"] = new JsonObject { ["name"] = "", ["number"] = c.CallerNumber },
            ["connected"] = new JsonObject { ["name"] = "", ["number"] = "" }, ["accountcode"] = "",
            ["dialplan"] = new JsonObject
            {
                ["context"] = c.Context ?? "neolia-door", ["exten"] = c.Exten ?? "s", ["priority"] = c.Priority,
                ["app_name"] = c.DialplanApp, ["app_data"] = c.DialplanAppData,
            },
            ["creationtime"] = c.CreatedAt, ["language"] = "en",
        };
        if (c.Tenant is not null) node["tenantid"] = c.Tenant;
        return node;
    }

    private object BridgeSnapshot(string id, string? type = null, IReadOnlyList<string>? channels = null)
    {
        List<string> members = [];
        if (channels is null && Bridges.TryGetValue(id, out var current)) lock (current) members = [.. current];
        return new
        {
            id, technology = "simple_bridge", bridge_type = type ?? "mixing", bridge_class = "stasis", creator = "Stasis", name = "",
            channels = channels ?? members, creationtime = Now(), video_mode = "talker",
        };
    }

    private object EndpointSnapshot(string resource) => new
    {
        technology = "PJSIP", resource, state = Endpoints.GetValueOrDefault(resource, "offline"),
        channel_ids = Channels.Values.Where(c => c.Endpoint == resource).Select(c => c.Id).ToList(),
    };

    /// <summary>
    /// How many times Asterisk delivers an event of this channel to the application: once through the endpoint
    /// subscription, once more while the application is subscribed to the channel itself.
    /// </summary>
    private static int Copies(Channel c, Application application) =>
        (application.EndpointsSubscribed && c.Endpoint is not null ? 1 : 0)
        + (c.App == application.Name && (c.InStasis || (c.Originated && c.Subscribed)) ? 1 : 0);

    /// <summary>A channel event (not StasisStart/StasisEnd, which go to the application once), as many times as Asterisk delivers it.</summary>
    private async Task ChannelEventAsync(Channel c, string type, object? fields = null)
    {
        foreach (var application in _applications.Values)
        {
            for (var i = Copies(c, application); i > 0; i--)
            {
                var node = fields is null ? new JsonObject() : JsonSerializer.SerializeToNode(fields)!.AsObject();
                node["type"] = type;
                node["channel"] = JsonSerializer.SerializeToNode(Snapshot(c));
                await SendToAsync(application, node);
            }
        }
    }

    /// <summary>The Dial event of an originated channel (its peer; no caller: the originate has none).</summary>
    private async Task DialAsync(Channel c, string status)
    {
        foreach (var application in _applications.Values)
        {
            for (var i = Copies(c, application); i > 0; i--)
                await SendToAsync(application, new { type = "Dial", dialstatus = status, forward = "", dialstring = c.Endpoint, peer = Snapshot(c) });
        }
    }

    private async Task EndpointStateAsync(string? resource)
    {
        if (resource is null) return;
        await SendToEndpointSubscribersAsync(new { type = "EndpointStateChange", endpoint = EndpointSnapshot(resource) });
    }

    private async Task LeaveBridgeAsync(Channel c)
    {
        if (c.Bridge is not { } bridge) return;
        c.Bridge = null;
        if (Bridges.TryGetValue(bridge, out var members)) lock (members) members.Remove(c.Id);
        await ChannelEventAsync(c, "ChannelVarset", new { variable = "BRIDGEPEER", value = "" });
        await SendToChannelAppAsync(c, new { type = "ChannelLeftBridge", bridge = BridgeSnapshot(bridge), channel = Snapshot(c) });
    }

    /// <summary>Asterisk's text of a Q.850 cause (ast_cause2str).</summary>
    public static string CauseText(int cause) => cause switch
    {
        1 => "Unallocated (unassigned) number", 16 => "Normal Clearing", 17 => "User busy", 18 => "No user responding",
        19 => "User alerting, no answer", 21 => "Call Rejected", 26 => "Answered elsewhere", 28 => "Invalid number format (addressincomplete)",
        31 => "Normal, unspecified", 34 => "Circuit/channel congestion", 38 => "Network out of order", 58 => "Bearer capability not available",
        127 => "Interworking, unspecified", _ => "Unknown",
    };

    /// <summary>
    /// A channel ends as Asterisk ends it (the recordings): the hangup request, the Dial outcome of a channel still
    /// ringing, leaving its bridge, StasisEnd, and for a dialplan channel (the door, LiveKit SIP's) the dialplan's
    /// h extension, which Hangup()s once more; then ChannelDestroyed with the cause, and the endpoint's new state.
    /// </summary>
    private async Task HangUpAsync(Channel channel, int cause, object request)
    {
        if (!Channels.ContainsKey(channel.Id)) return;
        await ChannelEventAsync(channel, "ChannelHangupRequest", request);
        // A leg still ringing: the originate's Dial ends (an application's hangup while it rings is NOANSWER, as recorded).
        if (channel.Originated && channel.State != "Up")
            await DialAsync(channel, IsAppHangup(request) ? "NOANSWER" : cause switch { 17 or 21 => "BUSY", 18 or 19 => "NOANSWER", _ => "CONGESTION" });
        await LeaveBridgeAsync(channel);
        if (channel.InStasis)
        {
            channel.InStasis = false;
            await SendToChannelAppAsync(channel, new { type = "StasisEnd", channel = Snapshot(channel) });
            if (!channel.Originated)
            {
                await ChannelEventAsync(channel, "ChannelVarset", new { variable = "STASISSTATUS", value = "SUCCESS" });
                await ChannelEventAsync(channel, "ChannelHangupRequest", new { cause = 16, soft = true });
                channel.DialplanApp = "Hangup";
                await ChannelEventAsync(channel, "ChannelDialplan", new { dialplan_app = "Hangup", dialplan_app_data = "" });
            }
        }
        await DestroyAsync(channel.Id, cause);
    }

    private static bool IsAppHangup(object request) => JsonSerializer.SerializeToNode(request)?["cause"]?.GetValue<int>() == 32;

    /// <summary>The event types the (first) application asked for (<c>PUT /applications/{app}/eventFilter</c>); null: every type.</summary>
    public IReadOnlySet<string>? AllowedEvents => _applications.Values.FirstOrDefault(a => a.Allowed is not null)?.Allowed;

    /// <summary>An event to every connected application (as a test's own stimulus).</summary>
    public async Task SendAsync(object message)
    {
        foreach (var application in _applications.Values) await SendToAsync(application, message);
    }

    /// <summary>An event of the channel's own application (StasisStart, StasisEnd, its bridge's), once.</summary>
    private async Task SendToChannelAppAsync(Channel c, object message)
    {
        if (c.App is { } name && _applications.TryGetValue(name, out var application)) await SendToAsync(application, message);
    }

    /// <summary>An endpoint's event, to every application subscribed to <c>endpoint:PJSIP</c>.</summary>
    private async Task SendToEndpointSubscribersAsync(object message)
    {
        foreach (var application in _applications.Values.Where(a => a.EndpointsSubscribed)) await SendToAsync(application, message);
    }

    private async Task SendToAsync(Application application, object message)
    {
        var node = message as JsonObject ?? JsonSerializer.SerializeToNode(message)!.AsObject();
        if (application.Allowed is { Count: > 0 } allowed && !allowed.Contains(node["type"]?.GetValue<string>() ?? "")) return; // filtered out, as Asterisk does
        WebSocket? socket;
        lock (_sync) socket = application.Socket;
        if (socket is null) return; // an inactive application misses the event, as in Asterisk
        await SendOnAsync(application, socket, node);
    }

    private async Task SendOnAsync(Application application, WebSocket socket, JsonObject message)
    {
        var node = message.DeepClone().AsObject();
        node["timestamp"] = Now();
        node["asterisk_id"] = "02:00:00:00:00:01";
        node["application"] = application.Name;
        var bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
        await application.Send.WaitAsync();
        try
        {
            SentEvents.Enqueue(node);
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException) { } // the socket dropped meanwhile
        finally { application.Send.Release(); }
    }

    private object ApplicationSnapshot(Application application) => new
    {
        name = application.Name,
        channel_ids = Channels.Values.Where(c => c.App == application.Name && (c.InStasis || c.Originated)).Select(c => c.Id).ToList(),
        bridge_ids = _bridgeApps.Where(b => b.Value == application.Name).Select(b => b.Key).ToList(),
        endpoint_ids = application.EndpointsSubscribed ? new[] { "PJSIP" } : [],
        events_allowed = (application.Allowed ?? new HashSet<string>()).Select(t => new { type = t }),
        events_disallowed = Array.Empty<object>(),
    };

    // --- What Asterisk's other side does: the door, the phones, the network. ---

    /// <summary>
    /// A door dials an apartment: its channel runs [neolia-doors] and [neolia-door], and is offered by
    /// StasisBroadcast(1000,^neolia-,door:tenant:door:exten). Returns once a replica took it (StasisStart sent) or the
    /// broadcast ended without one (the dialplan's fallback: <see cref="WentToFallback"/>). A test that needs one
    /// replica to take the call narrows StasisBroadcast's app_filter (a regular expression over application names, as
    /// Asterisk applies it) instead of hanging the others: a hung process's timing is the kernel's, not the test's.
    /// </summary>
    public async Task<string> RingDoorAsync(string tenant, string door, string apartment, string applicationFilter = BroadcastFilter)
    {
        var channel = Add(new Channel
        {
            Id = NewChannelId(),
            Name = $"PJSIP/{door}-{_sequence:x8}", Exten = apartment, State = "Ring", Context = "neolia-doors",
            Endpoint = door, Tenant = tenant, CallerNumber = door.Replace("-", ""),
        });
        // extensions.conf as Asterisk runs it (ChannelDialplan per application, ChannelVarset per variable).
        await EndpointStateAsync(door);
        await ChannelEventAsync(channel, "ChannelCreated");
        await ChannelEventAsync(channel, "ChannelVarset", new { variable = "NEOLIA_TENANT", value = tenant });
        await ChannelEventAsync(channel, "ChannelVarset", new { variable = "SIPDOMAIN", value = "127.0.0.1" });
        await DialplanAsync(channel, "Goto", $"neolia-door,{apartment},1");
        channel.Context = "neolia-door";
        await DialplanAsync(channel, "NoOp", $"Door {door} of tenant {tenant} rings apartment {apartment}");
        await DialplanAsync(channel, "GotoIf", "0?no-tenant,1");
        await DialplanAsync(channel, "Set", $"CALLERID(num)={door}");
        channel.CallerNumber = door;
        await ChannelEventAsync(channel, "ChannelCallerId", new { caller_presentation = 0, caller_presentation_txt = "Presentation Allowed, Not Screened" });
        await DialplanAsync(channel, "Ringing", "");
        string[] args = ["door", tenant, door, apartment];
        if (await BroadcastAsync(channel, args, applicationFilter) is { } winner) await EnterStasisAsync(channel, winner, args);
        return channel.Id;
    }

    private async Task DialplanAsync(Channel channel, string app, string data)
    {
        channel.Priority = app == "Goto" ? 1 : channel.Priority + 1;
        channel.DialplanApp = app;
        channel.DialplanAppData = data;
        await ChannelEventAsync(channel, "ChannelDialplan", new { dialplan_app = app, dialplan_app_data = data });
    }

    /// <summary>A dialled SIP phone answers (200 OK): its channel goes Up and enters the application with the originate's appArgs.</summary>
    public async Task AnswerLegAsync(string channelId)
    {
        var channel = Channels[channelId];
        channel.State = "Up";
        await ChannelEventAsync(channel, "ChannelStateChange");
        await DialAsync(channel, "ANSWER");
        await ChannelEventAsync(channel, "ChannelVarset", new { variable = "STASISSTATUS", value = "" });
        channel.InStasis = true;
        channel.DialplanApp = "Stasis";
        await SendToChannelAppAsync(channel, new { type = "StasisStart", args = channel.AppArgs, channel = Snapshot(channel) });
    }

    /// <summary>
    /// A channel hangs up from its side: the visitor's BYE (cause 16) or CANCEL while it rings (cause 127: a CANCEL
    /// carries no Reason, Asterisk records "Interworking, unspecified"), a phone that declines with 486 (cause 17), …
    /// Asterisk's ChannelHangupRequest carries the cause, except for a plain BYE's 16.
    /// </summary>
    public Task HangUpFromOutsideAsync(string channelId, int cause = 16) =>
        Channels.TryGetValue(channelId, out var channel) ? HangUpAsync(channel, cause, cause == 16 ? new { } : new { cause }) : Task.CompletedTask;

    /// <summary>The channel is gone: ChannelDestroyed (unless <paramref name="announce"/> is false: nobody hears of it) and the endpoint's new state.</summary>
    public async Task DestroyAsync(string channelId, int cause, bool announce = true)
    {
        if (!Channels.TryGetValue(channelId, out var channel)) return;
        channel.HungUpAt = DateTimeOffset.UtcNow;
        if (!announce)
        {
            Channels.TryRemove(channelId, out _);
            foreach (var members in Bridges.Values) lock (members) members.Remove(channelId);
            return;
        }
        await ChannelEventAsync(channel, "ChannelDestroyed", new { cause, cause_txt = CauseText(cause) });
        Channels.TryRemove(channelId, out _);
        foreach (var members in Bridges.Values) lock (members) members.Remove(channelId);
        await EndpointStateAsync(channel.Endpoint);
    }

    /// <summary>A channel's StasisStart delivered once more (as after a reconnection), with the arguments Stasis() gave it.</summary>
    public Task RepeatStasisStartAsync(string channelId, params string[] args) =>
        SendToChannelAppAsync(Channels[channelId], new { type = "StasisStart", args, channel = Snapshot(Channels[channelId]) });

    /// <summary>Asterisk reports the end of a channel already gone once more (a late or repeated ChannelDestroyed).</summary>
    public Task RepeatChannelDestroyedAsync(string channelId, int cause = 16) =>
        SendToChannelAppAsync(AllChannels[channelId], new { type = "ChannelDestroyed", cause, cause_txt = $"cause {cause}", channel = Snapshot(AllChannels[channelId]) });

    /// <summary>Whether CallApi handed the channel back to the dialplan (POST /channels/{id}/continue): the fallback after StasisBroadcast() runs.</summary>
    public bool Continued(string channelId) => AllChannels.TryGetValue(channelId, out var c) && c.Variables.ContainsKey("__continued");

    /// <summary>Whether the channel went on to the dialplan's fallback: handed back by CallApi, or not taken by any replica (TIMEOUT, FAILED).</summary>
    public bool WentToFallback(string channelId) =>
        Continued(channelId) || (AllChannels.TryGetValue(channelId, out var c) && c.Variables.ContainsKey("__fallback"));

    /// <summary>A SIP endpoint registers (or was registered before the call).</summary>
    /// <summary>
    /// A SIP endpoint registers (or was registered before the call): as Asterisk reports a REGISTER and the qualify
    /// (OPTIONS) that follows it, ContactStatusChange NonQualified, EndpointStateChange online, PeerStatusChange
    /// Reachable, ContactStatusChange Reachable.
    /// </summary>
    public async Task RegisterAsync(string resource, bool announce = true)
    {
        var contact = new { uri = $"sip:{resource}@192.0.2.10:5060", contact_status = "NonQualified", aor = resource, roundtrip_usec = "0" };
        if (announce) await SendToEndpointSubscribersAsync(new { type = "ContactStatusChange", endpoint = EndpointSnapshot(resource), contact_info = contact });
        Endpoints[resource] = "online";
        if (!announce) return;
        await EndpointStateAsync(resource);
        await SendToEndpointSubscribersAsync(new { type = "PeerStatusChange", endpoint = EndpointSnapshot(resource), peer = new { peer_status = "Reachable" } });
        await SendToEndpointSubscribersAsync(new { type = "ContactStatusChange", endpoint = EndpointSnapshot(resource), contact_info = contact with { contact_status = "Reachable", roundtrip_usec = "312" } });
    }

    /// <summary>A SIP endpoint unregisters (REGISTER with Expires: 0): EndpointStateChange offline, PeerStatusChange Unreachable, ContactStatusChange Removed.</summary>
    public async Task UnregisterAsync(string resource, bool announce = true)
    {
        Endpoints[resource] = "offline";
        if (!announce) return;
        await EndpointStateAsync(resource);
        await SendToEndpointSubscribersAsync(new { type = "PeerStatusChange", endpoint = EndpointSnapshot(resource), peer = new { peer_status = "Unreachable" } });
        await SendToEndpointSubscribersAsync(new
        {
            type = "ContactStatusChange", endpoint = EndpointSnapshot(resource),
            contact_info = new { uri = $"sip:{resource}@192.0.2.10:5060", contact_status = "Removed", aor = resource, roundtrip_usec = "0" },
        });
    }

    /// <summary>
    /// Asterisk's qualify of a registered contact changes its status (events.json <c>ContactInfo.contact_status</c>):
    /// <c>Unreachable</c> when an OPTIONS gets no answer within qualify_timeout, <c>Reachable</c> when one is answered again.
    /// </summary>
    public Task QualifyAsync(string resource, string contactStatus) =>
        SendToEndpointSubscribersAsync(new
        {
            type = "ContactStatusChange", endpoint = EndpointSnapshot(resource),
            contact_info = new { uri = $"sip:{resource}@192.0.2.10:5060", contact_status = contactStatus, aor = resource, roundtrip_usec = contactStatus == "Reachable" ? "312" : "0" },
        });

    /// <summary>The door (or another channel) sends a DTMF digit (RFC 4733 or SIP INFO).</summary>
    public Task SendDtmfFromAsync(string channelId, string digit) =>
        ChannelEventAsync(Channels[channelId], "ChannelDtmfReceived", new { digit, duration_ms = 160 });

    /// <summary>Drops CallApi's event WebSocket as a network cut or an Asterisk restart would; the next connection completes <see cref="Connected"/> again.</summary>
    public void DropEventStream()
    {
        List<WebSocket> sockets;
        lock (_sync)
        {
            sockets = [.. _applications.Values.Select(a => a.Socket).OfType<WebSocket>()];
            foreach (var application in _applications.Values) application.Socket = null;
            _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        foreach (var socket in sockets) socket.Abort();
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
