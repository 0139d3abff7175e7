using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Reliability;

/// <summary>
/// Redis stopped and started again (empty, as after a crash) under a listening resident: the door still gets its call
/// (recorded, its SIP phones dialled), no ring is lost, no revoked token comes back, and no Data Protection key is lost.
/// </summary>
[Collection(FaultStackCollection.Name)]
public sealed class RedisOutageTests(FaultStackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Downtime = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task With_Redis_down_the_door_gets_its_dial_answer_and_every_ring_reaches_the_app_when_Redis_is_back()
    {
        if (!stack.OwnsServers) { output.WriteLine("skipped: the stack shares outside servers"); return; }
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        await using var listening = await stack.ConnectAsync(tenant.Resident.Tokens!.AccessToken);
        await listening.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");

        var monitor = await stack.RegisterMonitorAsync(tenant);
        var before = await stack.RingCallAsync(tenant);
        await listening.WaitForRingAsync(before.Id);

        // Redis is down for the whole downtime; the door rings in the middle of it.
        var restart = stack.Processes.Redis!.RestartAsync(Downtime);
        await WaitUntilRedisRefusesAsync();
        var (door, took) = await stack.TimedRingAsync(tenant, d => stack.Asterisk.Originates(d).Count > 0);
        // The door still gets its call: CallApi recorded it, keeps the door ringing and dials the apartment's phone.
        var during = (await stack.RecordedCallAsync(door)).Id;
        Assert.Equal($"PJSIP/{monitor}", Assert.Single(stack.Asterisk.Originates(door)).Query["endpoint"]);
        Assert.True(stack.DoorIsUp(door), "the door was hung up");
        Assert.False(stack.Asterisk.WentToFallback(door), "the door was handed to the dialplan's fallback");
        Assert.True(took < TimeSpan.FromSeconds(2.5), $"dialling the apartment took {took.TotalMilliseconds:F0} ms");

        await restart;
        var back = Stopwatch.GetTimestamp();
        await listening.WaitForRingAsync(during, TimeSpan.FromSeconds(20));
        var ringAfter = Stopwatch.GetElapsedTime(back);

        // A fresh socket replays both calls still ringing: the one rung before Redis restarted and the one rung during.
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(20));
        await using var fresh = await stack.ConnectAsync(tenant.Resident.Tokens!.AccessToken);
        await fresh.WaitForRingAsync(before.Id);
        await fresh.WaitForRingAsync(during);
        Assert.Single(listening.RingsFor(during));

        Figures.Print(output, $"Redis down: the door's call was recorded and its SIP phone dialled in {took.TotalMilliseconds:F0} ms; the ring reached the open socket {ringAfter.TotalMilliseconds:F0} ms after Redis was back; replay after the restart: 2 of 2 calls");
        await stack.VisitorHangsUpAsync(before);
        await stack.Asterisk.HangUpFromOutsideAsync(door);
    }

    [Fact]
    public async Task A_Redis_restart_revives_no_revoked_token_and_loses_no_Data_Protection_key()
    {
        if (!stack.OwnsServers) { output.WriteLine("skipped: the stack shares outside servers"); return; }
        var world = await AdminWorld.OfAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, world.PlatformAdmin);
        var oldToken = tenant.Resident.Tokens!.AccessToken;
        using (var ok = await stack.AsResidentAsync(oldToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var call = await stack.RingCallAsync(tenant);
        await tenant.Admin.PostAsync($"/api/admin/residents/{tenant.ResidentId}/deactivate");
        using (var refused = await stack.AsResidentAsync(oldToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        await stack.Processes.Redis!.RestartAsync();
        await stack.WaitHealthyAsync(TimeSpan.FromSeconds(20));

        using (var calls = await stack.AsResidentAsync(oldToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.Unauthorized, calls.StatusCode);
        using (var answer = await stack.ActAsync(oldToken, call.Id, "answer")) Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        using (var door = await stack.ActAsync(oldToken, call.Id, "open-door")) Assert.Equal(HttpStatusCode.Unauthorized, door.StatusCode);
        await Assert.ThrowsAnyAsync<WebSocketException>(() => stack.ConnectAsync(oldToken));

        // A CallApi that starts after the restart (a new deployment) still reads the camera credentials stored before.
        var fresh = await stack.StartFreshCallApiAsync("callapi-after-redis-restart");
        using var client = new HttpClient { BaseAddress = fresh.Url };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", world.PlatformAdmin.Tokens!.AccessToken);
        using var device = await client.GetAsync($"/api/admin/devices/{world.A.DoorId}");
        Assert.True(device.StatusCode == HttpStatusCode.OK, await device.Content.ReadAsStringAsync());
        var camera = (await device.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("camera");
        Assert.Equal("10.0.0.5:554", camera.GetProperty("host").GetString());
        using (var list = await client.GetAsync("/api/admin/devices")) Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        // The key ring is in PostgreSQL, each key encrypted under the configured key-encryption key, named in the row.
        await using var scope = stack.DataScope(out var db);
        var keys = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains($"keyEncryptionKeyId=\"{FaultStackFixture.KeyEncryptionKeyId}\"", xml);
            Assert.DoesNotContain("<masterKey", xml);
        });
        Figures.Print(output, $"Redis restarted: revoked token refused on /api/calls, answer, open-door and /ws; {keys.Count} Data Protection key(s) kept encrypted in PostgreSQL, read by a CallApi started after the restart");
    }

    private async Task WaitUntilRedisRefusesAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", stack.Processes.Redis!.Port);
            }
            catch (SocketException) { return; }
            await Task.Delay(20);
        }
        throw new TimeoutException("Redis did not stop.");
    }
}
