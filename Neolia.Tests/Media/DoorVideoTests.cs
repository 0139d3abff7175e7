using System.Diagnostics;
using System.Net;
using System.Text.Json;
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

    public async Task DisposeAsync() => await _ingress.DisposeAsync();

    private async Task<(TestTenant Tenant, Guid DoorId, TestResident Resident, string AdminToken)> DoorWithCameraAsync(string rtspUrl, string? user = null, string? password = null)
    {
        var tenant = await stack.Data.CreateTenantAsync("1", "2");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var admin = await stack.AddTenantAdminTokenAsync(tenant);
        var doorId = await stack.SetDoorCameraAsync(tenant, admin, rtspUrl, user, password);
        return (tenant, doorId, resident, admin);
    }

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
        var call = await stack.RingCallAsync(tenant, "1");
        var ringAnswered = rungAt.Elapsed;
        var ring = await socket.WaitForRingAsync(call.Id);
        Assert.Equal($"/api/calls/{call.Id}/snapshot", ring.GetProperty("call").GetProperty("snapshotUrl").GetString());

        await _ingress.WaitForDataAsync(0, TimeSpan.FromSeconds(15));
        var started = rungAt.Elapsed;
        output.WriteLine($"webhook answered after {ringAnswered.TotalMilliseconds:0} ms; door video reached the ingress {started.TotalMilliseconds:0} ms after the ring");
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
        using (var end = await stack.HangUpAsync(call.AsteriskCallId, "ANSWER", answeredSec: "3")) await end.EnsureSuccessWithBodyAsync();
        var stopWatch = Stopwatch.StartNew();
        await _ingress.Sessions[0].Ended.WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"the relay left the ingress {stopWatch.ElapsedMilliseconds} ms after the hangup");
        Assert.Contains(stack.LiveKit.Of("DeleteIngress"), r => r.Body.GetProperty("ingressId").GetString() == stack.LiveKit.IngressOfRoom[call.Room]);
        await Task.Delay(1500);
        Assert.Single(_ingress.Sessions, s => new FileInfo(s.File) is { Exists: true, Length: > 0 });
        Assert.DoesNotContain("s3cret-Pass", stack.RelayLog("relay-main"));
    }
}
