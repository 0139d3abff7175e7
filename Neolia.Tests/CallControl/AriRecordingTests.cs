using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Neolia.Tests.Asterisk;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>A stack whose calls ring for as long as in the recordings (10 s), so CallApi's requests come out the same.</summary>
public sealed class AriRecordingStackFixture : AriStackFixture
{
    public const int RecordedRingTimeoutSeconds = 10;
    public override int RingTimeout => RecordedRingTimeoutSeconds;
}

[CollectionDefinition(Name)]
public sealed class AriRecordingCollection : ICollectionFixture<AriRecordingStackFixture>
{
    public const string Name = "stack with ARI call control, recorded ring time";
}

/// <summary>
/// Keeps <see cref="FakeAsterisk"/> honest: each fixture of <c>Recordings/</c> is what a real Asterisk 22 said to
/// CallApi over ARI while sipp played the door, the monitors and LiveKit SIP (README.md there). The same outside
/// stimuli (the door's StasisStart, registrations, answers, hangups with their causes, DTMF, the app's answer, decline
/// or open-door) are applied to the stand-in with the real CallApi in the loop, at the recorded moments, and what
/// CallApi requested and what the stand-in sent is compared with the recording in a normalised form.
/// </summary>
[Collection(AriRecordingCollection.Name)]
public sealed class AriRecordingTests(AriRecordingStackFixture stack)
{
    private FakeAsterisk Asterisk => stack.Asterisk;

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RecordedAri.Directory, "*.json").Order())
        {
            if (Path.GetFileName(file) != "scenarios.json") data.Add(Path.GetFileNameWithoutExtension(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task The_stand_in_answers_CallApi_as_the_recorded_Asterisk_did(string fixture)
    {
        var recording = RecordedAri.Load(fixture);
        Assert.Equal(AriRecordingStackFixture.RecordedRingTimeoutSeconds, recording.RingTimeoutSeconds);
        var replay = await ReplayAsync(recording);
        var differences = RecordedAri.Compare(recording.Normalised(), replay);
        Assert.True(differences.Count == 0, $"{fixture}: the stand-in differs from the recorded Asterisk ({recording.Asterisk}):\n{string.Join("\n", differences)}");
    }

    /// <summary>The comparison can fail: a recording changed in any of the ways it checks is not taken for the original.</summary>
    [Fact]
    public void A_changed_recording_is_told_apart()
    {
        var original = RecordedAri.Load("door-cancels");
        var normalised = original.Normalised();
        Assert.Empty(RecordedAri.Compare(normalised, original.Normalised()));

        // A wrong cause (what the stand-in used to send for a visitor's CANCEL).
        var wrongCause = RecordedAri.Load("door-cancels", text => text.Replace("\"cause\":127,\"cause_txt\":\"Interworking, unspecified\"", "\"cause\":16,\"cause_txt\":\"Normal Clearing\""));
        Assert.Contains(RecordedAri.Compare(normalised, wrongCause.Normalised()), d => d.Contains("ChannelDestroyed"));
        // An event sent once instead of twice (the endpoint subscription's copy missing).
        var once = RecordedAri.Load("door-cancels", text => RemoveFirstLineWith(text, "\"type\":\"ChannelStateChange\""));
        Assert.NotEmpty(RecordedAri.Compare(normalised, once.Normalised()));
        // Another status code.
        var status = RecordedAri.Load("door-cancels", text => text.Replace("\"status\":204", "\"status\":404"));
        Assert.NotEmpty(RecordedAri.Compare(normalised, status.Normalised()));
        // An event of another type.
        var order = RecordedAri.Load("monitor-answers", text => text.Replace("\"type\":\"ChannelStateChange\"", "\"type\":\"ChannelStateChangeX\""));
        Assert.NotEmpty(RecordedAri.Compare(RecordedAri.Load("monitor-answers").Normalised(), order.Normalised()));
    }

    private static string RemoveFirstLineWith(string text, string marker)
    {
        var lines = text.Split('\n').ToList();
        lines.RemoveAt(lines.FindIndex(l => l.Contains(marker)));
        return string.Join('\n', lines);
    }

    /// <summary>Applies the recording's stimuli to the stand-in (each once CallApi made as many requests as before it in the recording, and not before its recorded time) and captures the result.</summary>
    private async Task<RecordedAri.Comparable> ReplayAsync(RecordedAri recording)
    {
        var setup = recording.Setup;
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, setup.Apartment);
        var monitors = new List<string>();
        for (var i = 0; i < setup.Monitors; i++) monitors.Add(await scenario.AddMonitorAsync(registered: false));
        var residents = new List<(TestResident Resident, string? Sip)>();
        for (var i = 0; i < setup.Residents; i++) residents.Add(await scenario.AddResidentAsync(sip: setup.ResidentSoftphones, registered: false));

        var roles = new Dictionary<string, string> { [scenario.Tenant.DoorSipUsername] = "demo-door-1", [scenario.Tenant.Slug] = "demo", ["livekit"] = "livekit" };
        for (var i = 0; i < monitors.Count; i++) roles[monitors[i]] = $"monitor-{i + 1}";
        var softphones = residents.Select(r => r.Sip).OfType<string>().ToList();
        for (var i = 0; i < softphones.Count; i++) roles[softphones[i]] = $"softphone-{i + 1}";
        string Actual(string role) => roles.Single(r => r.Value == role).Key;

        var exchangesBefore = Asterisk.Exchanges.Count;
        var eventsBefore = Asterisk.SentEvents.Count;
        int Requests() => Asterisk.Exchanges.Skip(exchangesBefore).Count(e => RecordedAri.IsCallRequest(e.Request.Path));
        string? door = null;
        var clock = Stopwatch.StartNew();
        var doorAt = recording.Stimuli.FirstOrDefault(s => s.Kind == RecordedAri.StimulusKind.Door)?.At ?? 0;
        string? token = null;
        string? callId = null;

        foreach (var stimulus in recording.Stimuli)
        {
            if (door is not null)
            {
                var due = TimeSpan.FromMilliseconds(stimulus.At - doorAt);
                await Eventually.TrueAsync(() => Requests() >= stimulus.AfterRequests, TimeSpan.FromSeconds(30),
                    $"CallApi's {stimulus.AfterRequests} request(s) before {stimulus} (it made {Requests()})");
                if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
            }
            switch (stimulus.Kind)
            {
                case RecordedAri.StimulusKind.Register:
                    await Asterisk.RegisterAsync(Actual(stimulus.Subject));
                    break;
                case RecordedAri.StimulusKind.Unregister:
                    await Asterisk.UnregisterAsync(Actual(stimulus.Subject));
                    break;
                case RecordedAri.StimulusKind.Door:
                    door = await scenario.RingAsync();
                    roles[door] = "door";
                    clock.Restart();
                    callId = (await scenario.CallOfAsync(door)).Id.ToString("N");
                    break;
                case RecordedAri.StimulusKind.Answer:
                    await RingingAsync(ChannelOf(stimulus.Subject));
                    await Asterisk.AnswerLegAsync(ChannelOf(stimulus.Subject));
                    break;
                case RecordedAri.StimulusKind.Hangup:
                    await RingingAsync(ChannelOf(stimulus.Subject));
                    await Asterisk.HangUpFromOutsideAsync(ChannelOf(stimulus.Subject), stimulus.Cause);
                    break;
                case RecordedAri.StimulusKind.Dtmf:
                    await Asterisk.SendDtmfFromAsync(ChannelOf(stimulus.Subject), stimulus.Digit!);
                    break;
                case RecordedAri.StimulusKind.App:
                    token ??= await stack.SignInAsync(residents[0].Resident);
                    var call = await scenario.CallOfAsync(door!);
                    using (var response = await stack.ActAsync(token, call.Id.ToString(), stimulus.Subject)) await response.EnsureSuccessWithBodyAsync();
                    break;
            }
        }

        // Until CallApi made every request of the recording and all is quiet.
        await Eventually.TrueAsync(() => Requests() >= recording.Requests, TimeSpan.FromSeconds(30),
            $"CallApi's {recording.Requests} request(s) (it made {Requests()})");
        var quiet = (Asterisk.Exchanges.Count, Asterisk.SentEvents.Count);
        while (true)
        {
            await Task.Delay(600);
            var now = (Asterisk.Exchanges.Count, Asterisk.SentEvents.Count);
            if (now == quiet) break;
            quiet = now;
        }

        // The stand-in's channels and the call get the recording's names.
        foreach (var channel in Asterisk.AllChannels.Values.Where(c => door is not null && c.Id.StartsWith(door + "-leg-"))) roles[channel.Id] = "door" + channel.Id[door!.Length..];
        var liveKit = 0;
        foreach (var channel in LiveKitChannels()) roles[channel.Id] = $"livekit-{++liveKit}";
        var exchanges = Asterisk.Exchanges.Skip(exchangesBefore).Where(e => RecordedAri.IsCallRequest(e.Request.Path)).ToList();
        var events = Asterisk.SentEvents.Skip(eventsBefore).ToList();
        return RecordedAri.Normalise(
            exchanges.Select(e => new RecordedAri.Rest(e.Request.Method, e.Request.Path, e.Request.Query, e.Status)),
            events, roles);

        // Every recorded phone rang (180) before it answered or hung up: so does the stand-in's, however late CallApi dialled it.
        Task RingingAsync(string channel) => Eventually.TrueAsync(
            () => !Asterisk.Channels.TryGetValue(channel, out var c) || !c.Originated || c.State != "Down", TimeSpan.FromSeconds(10), $"{channel} ringing");

        // LiveKit SIP's channels of this call, in the order they came.
        List<FakeAsterisk.Channel> LiveKitChannels() =>
            [.. Asterisk.AllChannels.Values.Where(c => c.Context == "neolia-livekit" && c.Exten == callId).OrderBy(c => c.Name, StringComparer.Ordinal)];

        string ChannelOf(string role) => role switch
        {
            "door" => door!,
            _ when role.StartsWith("door-leg-") => door + role["door".Length..],
            _ when role.StartsWith("livekit-") => LiveKitChannels()[int.Parse(role["livekit-".Length..]) - 1].Id,
            _ => roles.Single(r => r.Value == role).Key,
        };
    }
}

/// <summary>A fixture of <c>Recordings/</c>: the recorded lines, the stimuli they show, and their normalised form.</summary>
public sealed class RecordedAri
{
    public static string Directory => RepositoryFiles.PathOf("Neolia.Tests", "CallControl", "Recordings");

    public sealed record ScenarioSetup(string Apartment, int Monitors, int Residents, bool ResidentSoftphones, int RingTimeoutSeconds);

    public enum StimulusKind { Register, Unregister, Door, Answer, Hangup, Dtmf, App }

    /// <param name="At">ms since the scenario's start, as recorded.</param>
    /// <param name="AfterRequests">CallApi's requests to Asterisk before it in the recording.</param>
    /// <param name="Subject">The channel or endpoint role (door, door-leg-1, livekit-1, monitor-1), or the app's action.</param>
    public sealed record Stimulus(StimulusKind Kind, long At, int AfterRequests, string Subject, int Cause = 16, string? Digit = null)
    {
        public override string ToString() => $"{Kind} {Subject}" + (Kind == StimulusKind.Hangup ? $" (cause {Cause})" : "") + (Digit is null ? "" : $" ({Digit})");
    }

    public sealed record Rest(string Method, string Path, IReadOnlyDictionary<string, string> Query, int Status);

    /// <summary>What is compared: CallApi's requests in order, and per role the events in order.</summary>
    public sealed record Comparable(IReadOnlyList<string> Requests, IReadOnlyDictionary<string, IReadOnlyList<string>> Events);

    private readonly JsonObject _fixture;
    private readonly List<JsonObject> _lines;

    private RecordedAri(JsonObject fixture)
    {
        _fixture = fixture;
        _lines = fixture["lines"]!.AsArray().Select(l => l!.AsObject()).ToList();
        Setup = fixture["setup"].Deserialize<ScenarioSetup>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Stimuli = FindStimuli(_lines);
        Requests = _lines.Count(l => (string?)l["kind"] == "rest" && IsCallRequest((string)l["path"]!));
    }

    public string Asterisk => (string?)_fixture["asterisk"] ?? "";
    public ScenarioSetup Setup { get; }
    public int RingTimeoutSeconds => Setup.RingTimeoutSeconds;
    public IReadOnlyList<Stimulus> Stimuli { get; }
    public int Requests { get; }

    public static RecordedAri Load(string name, Func<string, string>? change = null)
    {
        var text = File.ReadAllText(Path.Combine(Directory, name + ".json"));
        return new RecordedAri(JsonNode.Parse(change?.Invoke(text) ?? text)!.AsObject());
    }

    /// <summary>
    /// The requests a door call makes (not the connection's subscription and channel list). The claim of a broadcast
    /// channel is not among them: the recordings were made when the dialplan handed calls over with Stasis(), and from
    /// the StasisStart on a claimed channel is driven exactly as one Stasis() handed over (app_stasis_broadcast.c runs
    /// stasis_app_exec for the winner); the broadcast itself is checked by <c>ReplicaDoorCallTests</c>. Nor is
    /// <c>/ari/asterisk/variable</c>: the recordings were made when CallApi still stored the fallback's dial string in
    /// Asterisk at each ring; the dialplan now reads it from PostgreSQL, and CallApi makes no such request.
    /// </summary>
    public static bool IsCallRequest(string path) =>
        path.StartsWith("/ari/", StringComparison.Ordinal) && !path.StartsWith("/ari/applications/", StringComparison.Ordinal) && path != "/ari/channels"
        && path != "/ari/events/claim" && path != "/ari/asterisk/variable";

    /// <summary>
    /// What the outside did, as the recording shows it: registrations (the first ContactStatusChange of a REGISTER),
    /// the door's StasisStart, a leg's StasisStart (the phone answered), the end of a channel CallApi did not hang up
    /// (a BYE, CANCEL or 486, with its ChannelDestroyed's cause), DTMF (each digit once, not per subscription) and the
    /// app's actions (the recorder's notes).
    /// </summary>
    private static List<Stimulus> FindStimuli(List<JsonObject> lines)
    {
        var stimuli = new List<Stimulus>();
        var requests = 0;
        var hungUp = new HashSet<string>();
        var registered = new HashSet<string>();
        var lastDtmf = (Channel: "", At: -1000L);
        foreach (var line in lines)
        {
            var at = (long)line["t"]!;
            switch ((string?)line["kind"])
            {
                case "rest" when IsCallRequest((string)line["path"]!):
                    requests++;
                    break;
                case "note" when ((string?)line["text"])?.StartsWith("app:") == true:
                    stimuli.Add(new(StimulusKind.App, at, requests, ((string)line["text"]!)["app:".Length..]));
                    break;
                case "event":
                    var e = line["event"]!.AsObject();
                    var type = (string?)e["type"];
                    var channel = (string?)e["channel"]?["id"];
                    var args = e["args"]?.AsArray().Select(a => (string)a!).ToList();
                    var resource = (string?)e["endpoint"]?["resource"];
                    if (type == "ContactStatusChange" && resource is not null)
                    {
                        var status = (string?)e["contact_info"]?["contact_status"];
                        if (status is "NonQualified" or "Reachable" && registered.Add(resource)) stimuli.Add(new(StimulusKind.Register, at, requests, resource));
                        if (status == "Removed" && registered.Remove(resource)) stimuli.Add(new(StimulusKind.Unregister, at, requests, resource));
                    }
                    else if (type == "StasisStart" && args is ["door", ..]) stimuli.Add(new(StimulusKind.Door, at, requests, "door"));
                    else if (type == "StasisStart" && args is ["leg", ..]) stimuli.Add(new(StimulusKind.Answer, at, requests, channel!));
                    // A channel CallApi did not hang up (no DELETE of it that Asterisk carried out, 204) ended from outside: a
                    // BYE, CANCEL or 486. (CallApi filters its events to the ones it reads, so there is no
                    // ChannelHangupRequest to tell them apart; the DELETE's REST line may come after the events it caused.)
                    else if (type == "ChannelDestroyed" && channel is not null && !DeletedByCallApi(lines, channel) && hungUp.Add(channel))
                    {
                        stimuli.Add(new(StimulusKind.Hangup, at, requests, channel, (int)e["cause"]!));
                    }
                    else if (type == "ChannelDtmfReceived" && channel is not null)
                    {
                        if (lastDtmf.Channel != channel || at - lastDtmf.At > 20) stimuli.Add(new(StimulusKind.Dtmf, at, requests, channel, Digit: (string?)e["digit"]));
                        lastDtmf = (channel, at);
                    }
                    break;
            }
        }
        return stimuli;
    }

    private static bool DeletedByCallApi(List<JsonObject> lines, string channel) =>
        lines.Any(l => (string?)l["kind"] == "rest" && (string?)l["method"] == "DELETE" && (string?)l["path"] == $"/ari/channels/{channel}" && (int?)l["status"] == 204);

    /// <summary>The recording in the compared form (its ids are already roles: normalize.mjs).</summary>
    public Comparable Normalised() => Normalise(
        _lines.Where(l => (string?)l["kind"] == "rest").Select(l => new Rest((string)l["method"]!, (string)l["path"]!,
            l["query"]!.AsObject().ToDictionary(q => q.Key, q => (string)q.Value!), (int)l["status"]!)).Where(r => IsCallRequest(r.Path)),
        _lines.Where(l => (string?)l["kind"] == "event").Select(l => l["event"]!.AsObject()),
        new Dictionary<string, string>());

    /// <summary>
    /// Events CallApi does not read and whose number depends on Asterisk's internals, not on the call: ChannelVarset
    /// (dialplan variables, BRIDGEPEER set two or three times while a bridge forms, RTPAUDIOQOS* only when RTP
    /// flowed) and ChannelDialplan (one per dialplan application the channel runs). The stand-in sends the ones the
    /// dialplan sets, but their count is not compared.
    /// CallBroadcast is the StasisBroadcast() offer, which the recordings (made under Stasis()) predate.
    /// </summary>
    private static readonly HashSet<string> NotCompared = ["ChannelVarset", "ChannelDialplan", "CallBroadcast"];

    /// <summary>
    /// Events of one channel whose order Asterisk does not fix: Dial (the originate's dial topic) and
    /// ChannelStateChange (the channel's) interleave either way between recordings of the same call, so they are
    /// compared as sequences of their own; every other event of a channel is compared in its order.
    /// </summary>
    private static readonly HashSet<string> OwnSequence = ["Dial", "ChannelStateChange"];

    public static Comparable Normalise(IEnumerable<Rest> requests, IEnumerable<JsonObject> events, IReadOnlyDictionary<string, string> roles)
    {
        var replacements = roles.OrderByDescending(r => r.Key.Length).ToList();
        string Role(string text)
        {
            foreach (var (from, to) in replacements) text = Regex.Replace(text, Regex.Escape(from) + "(?![0-9A-Za-z])", to);
            return Regex.Replace(text, "\\b[0-9a-f]{32}\\b", "call");
        }

        var rest = requests.Select(r =>
        {
            var line = new StringBuilder($"{r.Method} {Role(r.Path)} -> {r.Status}");
            if (r.Query.TryGetValue("reason", out var reason)) line.Append($" reason={reason}");
            if (r.Query.TryGetValue("endpoint", out var endpoint)) line.Append($" endpoint={Role(endpoint)}");
            if (r.Query.TryGetValue("appArgs", out var appArgs)) line.Append($" appArgs={Role(appArgs)}");
            if (r.Query.TryGetValue("value", out var value)) line.Append($" value={Role(value)}");
            return line.ToString();
        }).ToList();

        var byRole = new Dictionary<string, List<string>>();
        foreach (var e in events)
        {
            var type = (string)e["type"]!;
            if (NotCompared.Contains(type)) continue;
            var subject = (string?)e["channel"]?["id"] ?? (string?)e["peer"]?["id"];
            string role;
            if (subject is not null) role = Role(subject);
            else if ((string?)e["endpoint"]?["resource"] is { } resource) role = "endpoint " + Role(resource);
            else if (e["bridge"] is not null) role = "bridge";
            else role = "other";
            // A channel or endpoint of another test of the stand-in (no role here) is not this call's.
            if (roles.Count > 0 && subject is not null && role == subject) continue;
            if (roles.Count > 0 && subject is null && (string?)e["endpoint"]?["resource"] is { } other && !roles.ContainsKey(other)) continue;
            var detail = type switch
            {
                "StasisStart" => $"({Role(string.Join(',', e["args"]!.AsArray().Select(a => (string)a!)))}) {e["channel"]!["state"]}",
                "ChannelStateChange" => $"{e["channel"]!["state"]}",
                "ChannelDestroyed" => $"{e["cause"]} {e["cause_txt"]}",
                "ChannelHangupRequest" => $"{e["cause"]}{((bool?)e["soft"] == true ? " soft" : "")}",
                "Dial" => $"{e["dialstatus"]}",
                "ChannelDtmfReceived" => $"{e["digit"]}",
                "ContactStatusChange" => $"{e["contact_info"]!["contact_status"]}",
                "PeerStatusChange" => $"{e["peer"]!["peer_status"]}",
                "EndpointStateChange" => $"{e["endpoint"]!["state"]} channels={e["endpoint"]!["channel_ids"]!.AsArray().Count}",
                _ => "",
            };
            var key = OwnSequence.Contains(type) ? $"{role} {type}" : role;
            if (!byRole.TryGetValue(key, out var list)) byRole[key] = list = [];
            list.Add(detail.Length > 0 ? $"{type} {detail}" : type);
        }
        return new(rest, byRole.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value));
    }

    /// <summary>The differences, one per request or role, readable in a test failure.</summary>
    public static List<string> Compare(Comparable recorded, Comparable replayed)
    {
        var differences = new List<string>();
        if (!recorded.Requests.SequenceEqual(replayed.Requests))
            differences.Add($"CallApi's requests:\n    recorded: {string.Join("\n              ", recorded.Requests)}\n    stand-in: {string.Join("\n              ", replayed.Requests)}");
        foreach (var role in recorded.Events.Keys.Union(replayed.Events.Keys).Order())
        {
            var a = recorded.Events.GetValueOrDefault(role) ?? [];
            var b = replayed.Events.GetValueOrDefault(role) ?? [];
            if (!a.SequenceEqual(b)) differences.Add($"events of {role}:\n    recorded: {string.Join(" | ", a)}\n    stand-in: {string.Join(" | ", b)}");
        }
        return differences;
    }
}
