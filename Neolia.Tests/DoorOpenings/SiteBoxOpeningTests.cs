using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Neolia.DevStack;
using Neolia.Tests.Administration;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.DoorOpenings;

/// <summary>
/// Opening a door through the building's site box: a real MediaRelay in site mode (reaching CallApi through the
/// gateway only) claims the opening and triggers the door's relay on a stand-in of the door's Akuvox HTTP API
/// (written from Akuvox's HTTP API manual: <c>POST /api/relay/trig</c>, JSON body, basic/digest auth).
/// </summary>
[Collection(AriStackCollection.Name)]
public sealed class SiteBoxOpeningTests(AriStackFixture stack)
{
    private const string DoorUser = "api-user";
    private const string DoorPassword = "door-http-password-1";

    /// <summary>The door's HTTP API: answers a relay trigger with retcode 0 when the basic credentials are right, 401 (with a challenge) when not.</summary>
    private sealed class AkuvoxDoorStandIn : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public ConcurrentQueue<(string? Authorization, JsonElement Body)> Triggers { get; } = new();
        public string Url => LoopbackServer.UrlOf(_app);

        private AkuvoxDoorStandIn(WebApplication app) => _app = app;

        public static async Task<AkuvoxDoorStandIn> StartAsync()
        {
            var app = LoopbackServer.Create();
            var door = new AkuvoxDoorStandIn(app);
            app.MapPost("/api/relay/trig", async (HttpContext context) =>
            {
                var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{DoorUser}:{DoorPassword}"));
                if (context.Request.Headers.Authorization.ToString() != expected)
                {
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"HTTPAPI\"";
                    return Results.Json(new { retcode = -1, message = "Unauthorized" }, statusCode: 401);
                }
                var body = await JsonDocument.ParseAsync(context.Request.Body);
                door.Triggers.Enqueue((context.Request.Headers.Authorization, body.RootElement.Clone()));
                return Results.Json(new { retcode = 0, action = "trig", message = "OK", data = new { } });
            });
            await app.StartAsync();
            return door;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_resident_opens_the_door_through_the_site_box_which_triggers_the_doors_relay_over_its_HTTP_API()
    {
        await using var door = await AkuvoxDoorStandIn.StartAsync();
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{tenant.DoorId}", new { name = "Main door", isActive = true, appOpening = "site-box" });
        var device = await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{tenant.DoorId}/http-api",
            new { url = door.Url, username = DoorUser, password = DoorPassword, relay = 2 });
        Assert.DoesNotContain(DoorPassword, device.GetRawText()); // only the host and whether it has credentials
        Assert.True(device.GetProperty("httpApi").GetProperty("hasCredentials").GetBoolean());

        // No box yet: nobody claims the opening, the app hears door_unreachable after DoorOpening:SiteBoxTimeout.
        using (var response = await tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open"))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        }
        Assert.Empty(door.Triggers);

        var relay = await tenant.Admin.PostAsync($"/api/admin/sites/{tenant.SiteId}/relay");
        var logs = Path.Combine(Path.GetTempPath(), "neolia-door-openings", Guid.NewGuid().ToString("N")[..8]);
        await using var box = await ServiceProcess.StartAsync("site-box", "Neolia.MediaRelay", FreePort.Next(), new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Relay__Mode"] = "site",
            ["Relay__CallApiUrl"] = stack.Stack.GatewayUrl.ToString(),
            ["Relay__SiteId"] = tenant.SiteId.ToString(),
            ["Relay__Credential"] = relay.GetProperty("credential").GetString(),
        }, logs);

        using var opened = await tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
        var body = JsonDocument.Parse(await opened.Content.ReadAsStringAsync()).RootElement;
        Assert.True(opened.StatusCode == HttpStatusCode.OK, body.GetRawText());
        Assert.Equal("opened", body.GetProperty("result").GetString());
        var trigger = Assert.Single(door.Triggers).Body;
        Assert.Equal("relay", trigger.GetProperty("target").GetString());
        Assert.Equal("trig", trigger.GetProperty("action").GetString());
        Assert.Equal(2, trigger.GetProperty("data").GetProperty("num").GetInt32());

        var log = (await tenant.Admin.GetAsync($"/api/admin/doors/{tenant.DoorId}/events")).GetProperty("items");
        Assert.Equal(["opened", "door_unreachable"], log.EnumerateArray().Select(e => e.GetProperty("result").GetString()));
        Assert.All(log.EnumerateArray(), e => Assert.Equal("site_box", e.GetProperty("method").GetString()));
        Assert.DoesNotContain(DoorPassword, File.ReadAllText(Path.Combine(logs, "site-box.log")));

        // Wrong credentials on the door: the box reports failed, the app hears 502.
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{tenant.DoorId}/http-api", new { url = door.Url, username = DoorUser, password = "wrong-password" });
        using var refused = await tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Single(door.Triggers);
    }
}
