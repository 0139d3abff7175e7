using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Media;

/// <summary>
/// The door's video from ring to hangup, with the real parts: GStreamer's RTSP server as the camera, the relay
/// (its own process, running Debian's ffmpeg), CallApi, and ffmpeg listening as the RTMP ingress LiveKit would be.
/// </summary>
[Collection(MediaStackCollection.Name)]
public sealed class DoorVideoTests(MediaStackFixture stack, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Width = 640, Height = 360;
    private readonly string _work = Path.Combine(Path.GetTempPath(), "neolia-media", Guid.NewGuid().ToString("N")[..8]);
    private RtmpIngressReceiver _ingress = null!;

    public Task InitializeAsync()
    {
        _ingress = new RtmpIngressReceiver(_work);
        stack.LiveKit.NextIngress = (_ingress.BaseUrl, _ingress.StreamKey);
        return Task.CompletedTask;
    }

    private readonly List<RungCall> _calls = [];

    /// <summary>Every call a test rang is hung up at its end, passed or not, so no later test's relay finds it still ringing.</summary>
    public async Task DisposeAsync()
    {
        foreach (var call in _calls) await stack.VisitorHangsUpAsync(call);
        await _ingress.DisposeAsync();
    }

    /// <summary>The visitor hangs up; returns once CallApi closed the call.</summary>
    private async Task EndAsync(RungCall call)
    {
        await stack.VisitorHangsUpAsync(call);
        await stack.CallOfAsync(call.DoorChannel, c => c.EndedAt is not null);
    }

    private async Task<RungCall> RingAsync(TestTenant tenant)
    {
        var call = await stack.RingCallAsync(tenant, "1");
        _calls.Add(call);
        return call;
    }

    private Task<(TestTenant Tenant, Guid DoorId, TestResident Resident, string AdminToken)> DoorWithCameraAsync(string rtspUrl, string? user = null, string? password = null) =>
        stack.DoorWithCameraAsync(rtspUrl, user, password, "1", "2");

    [Fact]
    public async Task A_ringing_call_gets_the_doors_h264_through_its_ingress_until_the_call_ends()
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height, "door", "s3cret-Pass");
        await using var relay = await stack.StartRelayAsync("relay-main");
        var (tenant, doorId, resident, _) = await DoorWithCameraAsync(camera.Url, "door", "s3cret-Pass");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");

        var rungAt = Stopwatch.StartNew();
        var call = await RingAsync(tenant);
        var ringAnswered = rungAt.Elapsed;
        var ring = await socket.WaitForRingAsync(call.Id);
        Assert.Equal($"/api/calls/{call.Id}/snapshot", ring.GetProperty("call").GetProperty("snapshotUrl").GetString());

        await _ingress.WaitForDataAsync(0, TimeSpan.FromSeconds(15));
        var started = rungAt.Elapsed;
        output.WriteLine($"CallApi recorded the call {ringAnswered.TotalMilliseconds:0} ms after the ring; door video reached the ingress {started.TotalMilliseconds:0} ms after the ring");
        Assert.True(started < TimeSpan.FromSeconds(10), $"video started {started.TotalSeconds:0.0} s after the ring");

        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "call_updated"
            && m.GetProperty("call").GetProperty("id").GetString() == call.Id
            && m.GetProperty("call").TryGetProperty("video", out var v) && v.GetString() == "live", TimeSpan.FromSeconds(10), "video live");

        // The ingress was made for the call's room, with the door as its participant, as the official SDK asks.
        var created = Assert.Single(stack.LiveKit.Of("CreateIngress"), r => r.Body.GetProperty("roomName").GetString() == call.Room);
        Assert.Equal($"door:{doorId}", created.Body.GetProperty("participantIdentity").GetString());
        Assert.False(created.Body.TryGetProperty("inputType", out _), "RTMP_INPUT is protobuf's default: left out");

        await Task.Delay(1500);
        var first = await MediaTools.ProbeAsync(_ingress.Sessions[0].File);
        await Task.Delay(1500);
        var later = await MediaTools.ProbeAsync(_ingress.Sessions[0].File);
        output.WriteLine($"received {first.Codec} {first.Width}x{first.Height}, {first.Packets} then {later.Packets} packets");
        Assert.Equal(("h264", Width, Height), (later.Codec, later.Width, later.Height));
        Assert.True(later.Packets > first.Packets + 10, $"frames are flowing ({first.Packets} then {later.Packets})");

        // Answered calls keep their video; the end tears it down: the publisher leaves the ingress, which is deleted.
        using (var answer = await stack.ActAsync(token, call.Id, "answer")) await answer.EnsureSuccessWithBodyAsync();
        await Task.Delay(1000);
        Assert.False(_ingress.Sessions[0].Ended.IsCompleted, "the answered call still has its video");
        // The door is bridged into the room (LiveKit SIP), then the visitor leaves: the call ends.
        await Eventually.TrueAsync(() => stack.Asterisk.Bridges.TryGetValue($"neolia-{call.Id.Replace("-", "")}", out var m) && m.Count == 2, what: "the door bridged into the call's room");
        await EndAsync(call);
        Assert.Equal("ended", await stack.StatusOfAsync(token, call.Id));
        var stopWatch = Stopwatch.StartNew();
        await _ingress.Sessions[0].Ended.WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"the relay left the ingress {stopWatch.ElapsedMilliseconds} ms after the hangup");
        var deletes = stack.LiveKit.Of("DeleteIngress");
        Assert.True(deletes.Any(r => r.Body.GetProperty("ingressId").GetString() == stack.LiveKit.IngressOfRoom[call.Room]),
            $"DeleteIngress of {stack.LiveKit.IngressOfRoom[call.Room]}; sent: {string.Join(", ", deletes.Select(d => d.Body.GetRawText()))}");
        await Task.Delay(1500);
        Assert.Single(_ingress.Sessions, s => new FileInfo(s.File) is { Exists: true, Length: > 0 });
        Assert.DoesNotContain("s3cret-Pass", stack.RelayLog("relay-main"));
    }

    [Fact]
    public async Task The_snapshot_is_a_real_jpeg_of_the_stream_for_the_apartments_residents_and_the_tenants_admins_only()
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height, "door", "s3cret-Pass");
        await using var relay = await stack.StartRelayAsync("relay-snapshot");
        var (tenant, _, resident, admin) = await DoorWithCameraAsync(camera.Url, "door", "s3cret-Pass");
        var neighbour = await stack.Data.AddResidentAsync(tenant, "2");
        var other = await stack.Data.CreateTenantAsync("1");
        var otherResident = await stack.Data.AddResidentAsync(other, "1");
        var otherAdmin = await stack.AddTenantAdminTokenAsync(other);
        var token = await stack.SignInAsync(resident);

        var call = await RingAsync(tenant);
        // Asked at once, as an app does on incoming_call: answered when the relay has stored it.
        using var snapshot = await stack.AsResidentAsync(token, HttpMethod.Get, $"/api/calls/{call.Id}/snapshot");
        await snapshot.EnsureSuccessWithBodyAsync();
        Assert.Equal("image/jpeg", snapshot.Content.Headers.ContentType?.MediaType);
        var jpeg = await snapshot.Content.ReadAsByteArrayAsync();
        var (width, height, rgb) = await MediaTools.DecodeJpegAsync(jpeg);
        output.WriteLine($"snapshot {jpeg.Length} bytes, decoded {width}x{height}");
        Assert.Equal((Width, Height, Width * Height * 3), (width, height, rgb));

        using (var byAdmin = await stack.AsResidentAsync(admin, HttpMethod.Get, $"/api/calls/{call.Id}/snapshot"))
        {
            await byAdmin.EnsureSuccessWithBodyAsync();
            Assert.Equal(jpeg, await byAdmin.Content.ReadAsByteArrayAsync());
        }
        foreach (var stranger in (string[])[await stack.SignInAsync(neighbour), await stack.SignInAsync(otherResident), otherAdmin])
        {
            using var refused = await stack.AsResidentAsync(stranger, HttpMethod.Get, $"/api/calls/{call.Id}/snapshot");
            await CallDriver.AssertProblemAsync(refused, HttpStatusCode.NotFound);
        }

        var history = await stack.GetCallAsync(token, call.Id);
        Assert.Equal($"/api/calls/{call.Id}/snapshot", history.GetProperty("snapshotUrl").GetString());
        using var list = await stack.AsResidentAsync(token, HttpMethod.Get, "/api/calls");
        var item = (await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == call.Id);
        Assert.Equal($"/api/calls/{call.Id}/snapshot", item.GetProperty("snapshotUrl").GetString());
        await EndAsync(call);
    }

    [Theory]
    [InlineData("unreachable")]
    [InlineData("wrong-credentials")]
    public async Task A_camera_that_cannot_be_read_never_holds_up_the_ring_and_the_app_is_told_video_is_unavailable(string fault)
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height, "door", "s3cret-Pass");
        var relayName = $"relay-{fault}";
        await using var relay = await stack.StartRelayAsync(relayName);
        var (tenant, _, resident, _) = fault == "unreachable"
            ? await DoorWithCameraAsync($"rtsp://127.0.0.1:{Neolia.DevStack.FreePort.Next()}/live/ch00_0")
            : await DoorWithCameraAsync(camera.Url, "door", "not-the-password");
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");

        var rung = Stopwatch.StartNew();
        var call = await RingAsync(tenant);
        await socket.WaitForRingAsync(call.Id);
        output.WriteLine($"{fault}: the app rang {rung.ElapsedMilliseconds} ms after the door rang");

        var update = await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "call_updated"
            && m.GetProperty("call").GetProperty("id").GetString() == call.Id
            && m.GetProperty("call").TryGetProperty("video", out var v) && v.GetString() == "unavailable", TimeSpan.FromSeconds(20), "video unavailable");
        Assert.Equal("ringing", update.GetProperty("call").GetProperty("status").GetString());
        Assert.Equal("ringing", await stack.StatusOfAsync(token, call.Id));

        // The relay keeps trying while the call lasts, and says why only once.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var log = stack.RelayLog(relayName);
        Assert.Equal(1, CountOf(log, $"Door video of call {call.Id} unavailable"));
        Assert.True(stack.LiveKit.Of("CreateIngress").Count(r => r.Body.GetProperty("roomName").GetString() == call.Room) == 1, "one ingress per call, kept across retries");
        Assert.Single(socket.UpdatesFor(call.Id), m => m.GetProperty("call").TryGetProperty("video", out _));
        Assert.DoesNotContain("not-the-password", log);
        output.WriteLine(log.Split('\n').First(l => l.Contains("unavailable:")));

        await EndAsync(call);
    }

    [Fact]
    public async Task A_stream_that_stalls_mid_call_is_marked_unavailable_and_comes_back_when_the_camera_does()
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height);
        await using var relay = await stack.StartRelayAsync("relay-stall");
        var (tenant, _, resident, _) = await DoorWithCameraAsync(camera.Url);
        var token = await stack.SignInAsync(resident);
        await using var socket = await stack.ConnectAsync(token);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");
        var call = await RingAsync(tenant);
        await _ingress.WaitForDataAsync(0, TimeSpan.FromSeconds(15));
        await WaitForVideoAsync(socket, call.Id, "live", 1);

        camera.Freeze();
        await WaitForVideoAsync(socket, call.Id, "unavailable", 1);
        await _ingress.Sessions[0].Ended.WaitAsync(TimeSpan.FromSeconds(10));
        camera.Thaw();

        await WaitForVideoAsync(socket, call.Id, "live", 2);
        await _ingress.WaitForDataAsync(1, TimeSpan.FromSeconds(20));
        await Task.Delay(1500);
        var resumed = await MediaTools.ProbeAsync(_ingress.Sessions[1].File);
        Assert.Equal(("h264", Width, Height), (resumed.Codec, resumed.Width, resumed.Height));
        Assert.True(resumed.Packets > 10, $"{resumed.Packets} packets after the camera came back");
        await EndAsync(call);
    }

    [Fact]
    public async Task When_the_replica_relaying_a_call_is_killed_another_takes_the_call_over()
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height);
        await using var first = await stack.StartRelayAsync("relay-a");
        await using var second = await stack.StartRelayAsync("relay-b");
        var (tenant, _, resident, _) = await DoorWithCameraAsync(camera.Url);
        var call = await RingAsync(tenant);
        await _ingress.WaitForDataAsync(0, TimeSpan.FromSeconds(15));

        var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(stack.Stack.RedisConnectionString);
        var lease = Neolia.MediaRelay.Work.CallLeases.KeyOf(Guid.Parse(call.Id));
        var holder = (string)(await redis.GetDatabase().StringGetAsync(lease))!;
        var (victim, survivor) = holder.StartsWith("relay-a/") ? (first, second) : (second, first);
        output.WriteLine($"lease held by {holder}; killing {victim.Name}");

        var killedAt = Stopwatch.StartNew();
        victim.Kill();
        // Its ffmpeg dies with it (no orphan keeps publishing), and the survivor publishes again.
        await _ingress.Sessions[0].Ended.WaitAsync(TimeSpan.FromSeconds(5));
        await _ingress.WaitForDataAsync(1, TimeSpan.FromSeconds(20));
        output.WriteLine($"video back {killedAt.ElapsedMilliseconds} ms after the replica was killed (camera restarts: {camera.Restarts})");
        Assert.StartsWith($"{survivor.Name}/", (string)(await redis.GetDatabase().StringGetAsync(lease))!);
        await Task.Delay(1500);
        Assert.True((await MediaTools.ProbeAsync(_ingress.Sessions[1].File)).Packets > 10);
        Assert.Single(stack.LiveKit.Of("CreateIngress"), r => r.Body.GetProperty("roomName").GetString() == call.Room);

        await EndAsync(call);
        await _ingress.Sessions[1].Ended.WaitAsync(TimeSpan.FromSeconds(10));
        await redis.DisposeAsync();
    }

    [Fact]
    public async Task A_site_relay_box_gets_its_buildings_calls_through_the_gateway_and_streams_them()
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height);
        var (tenant, _, resident, admin) = await DoorWithCameraAsync(camera.Url);
        var credential = await stack.IssueSiteRelayAsync(tenant.SiteId, admin);

        // The stack's relay leaves this building's calls to the box.
        await using var stackRelay = await stack.StartRelayAsync("relay-stack-for-site");
        await using var box = await stack.StartSiteRelayAsync("relay-site-box", tenant.SiteId, credential);
        var call = await RingAsync(tenant);
        await _ingress.WaitForDataAsync(0, TimeSpan.FromSeconds(25));
        Assert.Contains($"Relaying the door of call {call.Id}", stack.RelayLog("relay-site-box"));
        Assert.DoesNotContain(call.Id, stack.RelayLog("relay-stack-for-site"));

        await EndAsync(call);
        await _ingress.Sessions[0].Ended.WaitAsync(TimeSpan.FromSeconds(25));

        // A wrong credential sees nothing (the same 404 as an unknown path).
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/site-relay/calls");
        wrong.Headers.Add("X-Neolia-Site-Relay", $"{tenant.SiteId}:nsr_wrong");
        using var refused = await stack.Gateway.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        // The stack relays' API is not reachable from outside at all.
        using var internalApi = new HttpRequestMessage(HttpMethod.Get, "/internal/media/calls");
        internalApi.Headers.Add("X-Neolia-Relay-Secret", stack.RelaySecret);
        using var hidden = await stack.Gateway.SendAsync(internalApi);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    private static Task WaitForVideoAsync(ResidentSocket socket, string callId, string video, int occurrence) =>
        socket.WaitForAsync(_ => socket.UpdatesFor(callId).Count(m => m.GetProperty("call").TryGetProperty("video", out var v) && v.GetString() == video) >= occurrence,
            TimeSpan.FromSeconds(25), $"video {video} #{occurrence}");

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
