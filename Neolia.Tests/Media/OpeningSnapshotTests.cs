using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Media;

/// <summary>
/// The picture of an opening from the app, with the real parts: GStreamer's RTSP server as the door's camera, the
/// relay (its own process, Debian's ffmpeg) sweeping CallApi's openings, and the door log showing the picture.
/// </summary>
[Collection(MediaStackCollection.Name)]
public sealed class OpeningSnapshotTests(MediaStackFixture stack, ITestOutputHelper output)
{
    private const int Width = 640, Height = 360;
    private readonly string _work = Path.Combine(Path.GetTempPath(), "neolia-media", Guid.NewGuid().ToString("N")[..8]);

    private async Task<(Guid DoorId, string ResidentToken, string AdminToken, Guid SiteId)> DoorWithCameraAsync(string rtspUrl, string? user = null, string? password = null)
    {
        var (tenant, doorId, resident, admin) = await stack.DoorWithCameraAsync(rtspUrl, user, password);
        return (doorId, await stack.SignInAsync(resident), admin, tenant.SiteId);
    }

    private async Task<Guid> WithPictureAsync(string token, Guid eventId, string relayName)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(25);
        while ((await LineAsync(token, eventId)).GetProperty("snapshotUrl").ValueKind != JsonValueKind.String)
        {
            Assert.True(DateTime.UtcNow < deadline, "no picture for the opening within 25 s:\n" + stack.RelayLog(relayName));
            await Task.Delay(250);
        }
        return eventId;
    }

    private async Task SetAppOpeningAsync(string admin, Guid doorId, string mode)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/devices/{doorId}/app-opening") { Content = JsonContent.Create(new { appOpening = mode }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin);
        using var response = await stack.Gateway.SendAsync(request);
        await response.EnsureSuccessWithBodyAsync();
    }

    /// <summary>The opening's line in the door log: its id is in the answer, whatever the result.</summary>
    private async Task<Guid> OpenAsync(string token, Guid doorId)
    {
        using var response = await stack.AsResidentAsync(token, HttpMethod.Post, $"/api/doors/{doorId}/open");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        output.WriteLine($"open: {(int)response.StatusCode} {body.GetProperty("result").GetString()}");
        return body.GetProperty("eventId").GetGuid();
    }

    private async Task<JsonElement> LineAsync(string token, Guid eventId)
    {
        using var response = await stack.AsResidentAsync(token, HttpMethod.Get, "/api/me/door-events");
        await response.EnsureSuccessWithBodyAsync();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == eventId);
    }

    [Fact]
    public async Task Each_opening_from_the_app_of_a_door_with_a_camera_gets_a_real_jpeg_in_the_door_log_and_a_refused_one_none()
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height, "door", "s3cret-Pass");
        var (doorId, token, admin, _) = await DoorWithCameraAsync(camera.Url, "door", "s3cret-Pass");
        await using var relay = await stack.StartRelayAsync("relay-openings");

        var refused = await OpenAsync(token, doorId); // the door's opening from the app is off: refused, nothing reached the door
        await SetAppOpeningAsync(admin, doorId, "sip");
        var opening = await OpenAsync(token, doorId);

        var line = await LineAsync(token, await WithPictureAsync(token, opening, "relay-openings"));
        Assert.Equal($"/api/door-events/{opening}/snapshot", line.GetProperty("snapshotUrl").GetString());
        using var picture = await stack.AsResidentAsync(token, HttpMethod.Get, line.GetProperty("snapshotUrl").GetString()!);
        await picture.EnsureSuccessWithBodyAsync();
        Assert.Equal("image/jpeg", picture.Content.Headers.ContentType?.MediaType);
        var jpeg = await picture.Content.ReadAsByteArrayAsync();
        var (width, height, rgb) = await MediaTools.DecodeJpegAsync(jpeg);
        output.WriteLine($"opening picture {jpeg.Length} bytes, decoded {width}x{height}");
        Assert.Equal((Width, Height, Width * Height * 3), (width, height, rgb));

        // The refused attempt came first, so the relay had it in the same sweeps: it has no picture.
        Assert.Equal(JsonValueKind.Null, (await LineAsync(token, refused)).GetProperty("snapshotUrl").ValueKind);
        var log = stack.RelayLog("relay-openings");
        Assert.Contains($"Picture of opening {opening} of door {doorId} stored", log);
        Assert.DoesNotContain(refused.ToString(), log);
        Assert.DoesNotContain("s3cret-Pass", log);
    }

    [Fact]
    public async Task The_site_box_takes_the_picture_of_its_buildings_openings_and_the_stacks_relays_leave_them()
    {
        await using var camera = await RtspCamera.StartAsync(_work, Width, Height);
        var (doorId, token, admin, siteId) = await DoorWithCameraAsync(camera.Url);
        var credential = await stack.IssueSiteRelayAsync(siteId, admin);
        await using var stackRelay = await stack.StartRelayAsync("relay-stack-openings");
        await using var box = await stack.StartSiteRelayAsync("relay-box-openings", siteId, credential);
        await SetAppOpeningAsync(admin, doorId, "sip");

        var opening = await WithPictureAsync(token, await OpenAsync(token, doorId), "relay-box-openings");
        Assert.Contains($"Picture of opening {opening} of door {doorId} stored", stack.RelayLog("relay-box-openings"));
        Assert.DoesNotContain(opening.ToString(), stack.RelayLog("relay-stack-openings"));
    }

    [Fact]
    public async Task The_relays_API_for_opening_pictures_is_the_stacks_and_the_sites_own_only()
    {
        var (doorId, token, admin, _) = await DoorWithCameraAsync("rtsp://192.0.2.1:554/door", "door", "s3cret-Pass");
        await SetAppOpeningAsync(admin, doorId, "sip");
        var opening = await OpenAsync(token, doorId);

        // The stack's relay sees it, with the camera's credentials, which only it may read.
        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri(stack.Stack.CallApiUrl, "/internal/media/opening-snapshots"));
        list.Headers.Add("X-Neolia-Relay-Secret", stack.RelaySecret);
        using var listed = await new HttpClient().SendAsync(list);
        await listed.EnsureSuccessWithBodyAsync();
        var item = (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("openings").EnumerateArray().Single(o => o.GetProperty("eventId").GetGuid() == opening);
        Assert.Equal("rtsp://door:s3cret-Pass@192.0.2.1:554/door", item.GetProperty("rtspUrl").GetString());

        // Not from outside: the gateway does not route it, and a site box's credential is for its own site only.
        using var hidden = new HttpRequestMessage(HttpMethod.Get, "/internal/media/opening-snapshots");
        hidden.Headers.Add("X-Neolia-Relay-Secret", stack.RelaySecret);
        using (var response = await stack.Gateway.SendAsync(hidden)) Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/site-relay/opening-snapshots");
        wrong.Headers.Add("X-Neolia-Site-Relay", $"{Guid.NewGuid()}:nsr_wrong");
        using (var response = await stack.Gateway.SendAsync(wrong)) Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        // A JPEG stored once; a second is refused; something else is not a picture.
        var jpeg = await File.ReadAllBytesAsync(await MediaTools.ColorJpegAsync(_work));
        Assert.Equal(HttpStatusCode.NoContent, await PutAsync(opening, jpeg, "image/jpeg"));
        Assert.Equal(HttpStatusCode.Conflict, await PutAsync(opening, jpeg, "image/jpeg"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PutAsync(opening, "not a jpeg"u8.ToArray(), "image/jpeg"));
        Assert.Equal(HttpStatusCode.NotFound, await PutAsync(Guid.NewGuid(), jpeg, "image/jpeg"));
    }

    private async Task<HttpStatusCode> PutAsync(Guid eventId, byte[] body, string type)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(stack.Stack.CallApiUrl, $"/internal/media/openings/{eventId}/snapshot")) { Content = content };
        request.Headers.Add("X-Neolia-Relay-Secret", stack.RelaySecret);
        using var client = new HttpClient();
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
