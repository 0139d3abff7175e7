using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Neolia.DevStack;
using Neolia.Tests.Infrastructure;
using Neolia.Tests.LiveKit;

namespace Neolia.Tests.Media;

/// <summary>A door camera: GStreamer's RTSP server (rtsp_server.py) serving H.264 of a moving pattern, with or without digest credentials.</summary>
public sealed class RtspCamera : IAsyncDisposable
{
    private readonly string[] _arguments;
    private readonly string _logDirectory;
    private readonly int _port;
    private readonly CancellationTokenSource _disposing = new();
    private ManagedProcess _server;
    private Task _supervising = Task.CompletedTask;

    private RtspCamera(ManagedProcess server, string[] arguments, string logDirectory, int port)
    {
        (_server, _arguments, _logDirectory, _port) = (server, arguments, logDirectory, port);
        Url = $"rtsp://127.0.0.1:{port}/live/ch00_0";
    }

    public string Url { get; }

    /// <summary>How often the camera's server died and was started again (GStreamer's RTSP server can abort on an assertion when a client vanishes mid-request).</summary>
    public int Restarts { get; private set; }

    public static async Task<RtspCamera> StartAsync(string logDirectory, int width, int height, string? user = null, string? password = null)
    {
        var port = FreePort.Next();
        var script = Path.Combine(RepositoryLayout.Root, "Neolia.Tests", "Media", "rtsp_server.py");
        string[] args = user is null ? [script, $"{port}", $"{width}", $"{height}"] : [script, $"{port}", $"{width}", $"{height}", user, password!];
        var camera = new RtspCamera(await StartServerAsync(args, logDirectory, port, 0), args, logDirectory, port);
        camera._supervising = camera.SuperviseAsync();
        return camera;
    }

    private static async Task<ManagedProcess> StartServerAsync(string[] args, string logDirectory, int port, int restart)
    {
        var log = Path.Combine(logDirectory, restart == 0 ? $"rtsp-camera-{port}.log" : $"rtsp-camera-{port}-restart-{restart}.log");
        var server = ManagedProcess.Start("rtsp-camera", "/usr/bin/python3", args, new Dictionary<string, string?>(), log);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!server.Tail().Contains("ready"))
        {
            if (server.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"The RTSP camera did not start: {server.Tail()}");
            await Task.Delay(50);
        }
        return server;
    }

    /// <summary>
    /// A door camera that crashes reboots, and the relay must get its stream again. The tests' camera is GStreamer's RTSP
    /// server, which can abort on an internal assertion (gst_rtsp_media_get_rates) when a client is killed mid-session,
    /// as the relay failover test does: it is started again on the same port, as the camera would come back.
    /// </summary>
    private async Task SuperviseAsync()
    {
        while (true)
        {
            try { await _server.Exited.WaitAsync(_disposing.Token); }
            catch (OperationCanceledException) { return; }
            await _server.DisposeAsync();
            Restarts++;
            _server = await StartServerAsync(_arguments, _logDirectory, _port, Restarts);
        }
    }

    /// <summary>The camera stops sending (SIGSTOP): connections stay open, no frame comes — a stall.</summary>
    public void Freeze() => ProcessSignals.Stop(_server.Id);

    public void Thaw() => ProcessSignals.Continue(_server.Id);

    public async ValueTask DisposeAsync()
    {
        _disposing.Cancel();
        try { await _supervising; } catch (InvalidOperationException) { }
        Thaw();
        await _server.DisposeAsync();
        _disposing.Dispose();
    }
}

/// <summary>
/// Stands in for LiveKit Ingress's RTMP input: ffmpeg listening as an RTMP server (one publisher per session, as
/// LiveKit takes one per ingress), each session written to its own FLV file; a new session is listened for as soon as
/// one ends, as the ingress accepts a reconnecting publisher.
/// </summary>
public sealed class RtmpIngressReceiver : IAsyncDisposable
{
    private readonly string _directory;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private ManagedProcess? _current;

    public sealed record Session(int Index, string File, Task Ended);

    private readonly List<Session> _sessions = [];

    public RtmpIngressReceiver(string directory)
    {
        _directory = Directory.CreateDirectory(directory).FullName;
        Port = FreePort.Next();
        _loop = Task.Run(ListenAsync);
    }

    public int Port { get; }
    public string BaseUrl => $"rtmp://127.0.0.1:{Port}/live";
    public string StreamKey { get; } = "sk" + Guid.NewGuid().ToString("N")[..12];

    public IReadOnlyList<Session> Sessions { get { lock (_sessions) return [.. _sessions]; } }

    private async Task ListenAsync()
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var file = Path.Combine(_directory, $"session-{i}.flv");
            // Small probe so the file starts as the first packets arrive, flushed per packet so a reader sees them.
            _current = ManagedProcess.Start($"rtmp-{i}", "ffmpeg",
                ["-hide_banner", "-loglevel", "error", "-analyzeduration", "100000", "-probesize", "32768",
                 "-listen", "1", "-i", $"{BaseUrl}/{StreamKey}", "-c", "copy", "-flush_packets", "1", "-f", "flv", "-y", file],
                new Dictionary<string, string?>(), Path.Combine(_directory, $"session-{i}.log"));
            lock (_sessions) _sessions.Add(new Session(i, file, _current.Exited));
            try { await _current.Exited.WaitAsync(_stop.Token); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>When the session's first bytes were written (the relay's stream reached the ingress).</summary>
    public async Task<DateTime> WaitForDataAsync(int session, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Sessions.Count > session && new FileInfo(Sessions[session].File) is { Exists: true, Length: > 0 }) return DateTime.UtcNow;
            await Task.Delay(10);
        }
        throw new TimeoutException($"No stream reached RTMP session {session} in {timeout.TotalSeconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_current is not null) await _current.DisposeAsync();
        await _loop;
    }
}

/// <summary>What ffprobe reads from a received stream.</summary>
public sealed record ProbedVideo(string Codec, int Width, int Height, int Packets);

public static class MediaTools
{
    public static async Task<ProbedVideo> ProbeAsync(string file)
    {
        var output = await RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-count_packets",
            "-show_entries", "stream=codec_name,width,height,nb_read_packets", "-of", "json", file]);
        var stream = JsonDocument.Parse(output).RootElement.GetProperty("streams")[0];
        return new(stream.GetProperty("codec_name").GetString()!, stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32(),
            int.Parse(stream.GetProperty("nb_read_packets").GetString()!));
    }

    /// <summary>A small JPEG made by ffmpeg's own encoder (64x48, one colour), as a relay would send one; returns its path.</summary>
    public static async Task<string> ColorJpegAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"color-{Guid.NewGuid():N}.jpg");
        await RunAsync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1", "-y", file]);
        return file;
    }

    /// <summary>Decodes a JPEG completely (ffmpeg to raw RGB): its size, from the pixels themselves.</summary>
    public static async Task<(int Width, int Height, int RgbBytes)> DecodeJpegAsync(byte[] jpeg)
    {
        var file = Path.Combine(Path.GetTempPath(), $"snapshot-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(file, jpeg);
        try
        {
            var probed = JsonDocument.Parse(await RunAsync("ffprobe", ["-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "json", file]))
                .RootElement.GetProperty("streams")[0];
            Assert.Equal("mjpeg", probed.GetProperty("codec_name").GetString());
            var raw = Path.ChangeExtension(file, ".rgb");
            await RunAsync("ffmpeg", ["-v", "error", "-i", file, "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", raw]);
            var bytes = (int)new FileInfo(raw).Length;
            File.Delete(raw);
            return (probed.GetProperty("width").GetInt32(), probed.GetProperty("height").GetInt32(), bytes);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<string> RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {await stderr}");
        return await stdout;
    }
}

/// <summary>
/// The LiveKit server API as CallApi calls it, written from livekit/protocol's Twirp services: a capturing server
/// whose Ingress answers with the RTMP address of the test's receiver; RoomService calls get an empty answer.
/// </summary>
public sealed class FakeLiveKit : IAsyncDisposable
{
    public sealed record Request(string Path, JsonElement Body);

    private readonly CapturingServer _server;
    private int _ingresses;

    private FakeLiveKit(CapturingServer server)
    {
        _server = server;
        server.Respond = Answer;
    }

    /// <summary>The RTMP input the next ingress gets (the test's receiver).</summary>
    public (string Url, string StreamKey) NextIngress { get; set; } = ("rtmp://127.0.0.1:1/live", "none");

    /// <summary>The ingress id given for each room.</summary>
    public ConcurrentDictionary<string, string> IngressOfRoom { get; } = new();

    public string Url => _server.Url;

    public IReadOnlyList<Request> Of(string method) => _server.Requests.Where(r => r.Path.EndsWith("/" + method))
        .Select(r => new Request(r.Path, JsonDocument.Parse(r.Body).RootElement.Clone())).ToList();

    public static async Task<FakeLiveKit> StartAsync() => new(await CapturingServer.StartAsync());

    /// <summary>
    /// Called with the <c>sipCallTo</c> of each CreateSIPParticipant (an app answered a door call): LiveKit SIP then calls
    /// Asterisk, which the stack's <see cref="CallControl.FakeAsterisk"/> plays.
    /// </summary>
    public Action<string>? SipCallTo { get; set; }

    private (int, string, TimeSpan) Answer(string path)
    {
        // LiveKit SIP, as CallApi's call control uses it to bring the door into the room of an app's answer.
        if (path == "/twirp/livekit.SIP/ListSIPOutboundTrunk") return (200, """{"items":[]}""", TimeSpan.Zero);
        if (path == "/twirp/livekit.SIP/CreateSIPOutboundTrunk") return (200, """{"sipTrunkId":"ST_media"}""", TimeSpan.Zero);
        if (path == "/twirp/livekit.SIP/CreateSIPParticipant")
        {
            var sip = Of("CreateSIPParticipant")[^1].Body;
            SipCallTo?.Invoke(sip.GetProperty("sipCallTo").GetString()!);
            return (200, JsonSerializer.Serialize(new { participantId = "PA_door", participantIdentity = sip.GetProperty("participantIdentity").GetString(), roomName = sip.GetProperty("roomName").GetString(), sipCallId = "SCL_media" }), TimeSpan.Zero);
        }
        if (path != "/twirp/livekit.Ingress/CreateIngress") return (200, "{}", TimeSpan.Zero);
        // The capturing server queued the request before asking for its answer.
        var room = Of("CreateIngress")[^1].Body.GetProperty("roomName").GetString()!;
        var id = IngressOfRoom[room] = $"IN_{Interlocked.Increment(ref _ingresses)}";
        return (200, JsonSerializer.Serialize(new { ingressId = id, name = room, url = NextIngress.Url, streamKey = NextIngress.StreamKey, roomName = room }), TimeSpan.Zero);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
