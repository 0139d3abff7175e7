using System.Net;
using System.Text.Json;
using Neolia.Tests.Administration;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;
using Npgsql;
using static Neolia.Tests.SipAccounts.RealtimeRows;

namespace Neolia.Tests.DeviceStatus;

/// <summary>
/// A door's registration is lost and regained the way Asterisk shows it — its <c>ps_contacts</c> row written as
/// Asterisk 22 writes it, then gone (expired or removed), and its qualify reported over ARI by the stand-in — and the
/// tenant's administrators see it in the status list, the alerts and their signed webhook, once per change.
/// </summary>
[Collection(DeviceStatusStackCollection.Name)]
public sealed class DeviceAlertTests(DeviceStatusStackFixture stack)
{
    [Fact]
    public async Task A_lost_then_regained_registration_raises_one_alert_and_one_recovery_on_the_api_and_the_signed_webhook()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await using var receiver = await WebhookReceiver.StartAsync();
        var secret = await SetWebhookAsync(tenant, receiver.Url);
        await using var db = stack.Database();

        await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.7", DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds());
        await UntilStateAsync(tenant, tenant.DoorId, "online");
        // The registration runs out (the door was unplugged): Asterisk's row stays until pruned, but it has expired.
        var offline = await UntilStateAsync(tenant, tenant.DoorId, "offline");
        Assert.True(offline.GetProperty("since").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));

        var lost = await Eventually.FoundAsync(() => receiver.OfDevice(tenant.DoorId).FirstOrDefault(), what: "the offline alert at the webhook");
        Assert.True(lost.IsSignedWith(secret), "the delivery is signed with the tenant's secret");
        Assert.Equal("device.offline", lost.Json.GetProperty("type").GetString());
        Assert.Equal(tenant.TenantId, lost.Json.GetProperty("tenantId").GetGuid());
        Assert.Equal("Main door", lost.Json.GetProperty("device").GetProperty("name").GetString());
        Assert.Equal(tenant.SiteId, lost.Json.GetProperty("site").GetProperty("id").GetGuid());
        Assert.Equal(lost.Json.GetProperty("id").GetString(), AlertIds(await AlertsAsync(tenant, tenant.DoorId))[0]); // the payload names the alert the console lists

        await Exec(db, "DELETE FROM ps_contacts WHERE endpoint = @u", tenant.DoorSipUsername);
        await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.7", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await UntilStateAsync(tenant, tenant.DoorId, "online");
        var back = await Eventually.FoundAsync(() => receiver.OfDevice(tenant.DoorId).Skip(1).FirstOrDefault(), what: "the recovery at the webhook");
        Assert.Equal("device.online", back.Json.GetProperty("type").GetString());
        Assert.True(back.IsSignedWith(secret));

        // A few more checks go by: nothing more is sent, and the console's list says what the webhook got.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(2, receiver.OfDevice(tenant.DoorId).Count);
        var alerts = (await AlertsAsync(tenant, tenant.DoorId)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["device.online", "device.offline"], alerts.Select(a => a.GetProperty("kind").GetString()));
        Assert.All(alerts, a => Assert.Equal("delivered", a.GetProperty("delivery").GetProperty("state").GetString()));
        Assert.All(alerts, a => Assert.Equal(1, a.GetProperty("delivery").GetProperty("attempts").GetInt32()));

        // The door log keeps each change, with why: offline, then online (and before them the first registration, when
        // the door was first seen unregistered: a door seen registered at once starts online, which is no change).
        var log = (await tenant.Admin.GetAsync($"/api/admin/doors/{tenant.DoorId}/events")).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString()!.StartsWith("device_")).Reverse()
            .Select(e => $"{e.GetProperty("kind").GetString()}:{e.GetProperty("result").GetString()}").ToList();
        Assert.Equal(["device_offline:no_registration", "device_online:registered"], log.TakeLast(2));
        Assert.InRange(log.Count, 2, 3);
        if (log.Count == 3) Assert.Equal("device_online:registered", log[0]);
        var offlineOnly = await tenant.Admin.GetAsync($"/api/admin/doors/{tenant.DoorId}/events?kind=device_offline");
        Assert.Equal(1, offlineOnly.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task A_door_that_flaps_is_reported_once_per_quiet_period()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await using var receiver = await WebhookReceiver.StartAsync();
        await SetWebhookAsync(tenant, receiver.Url);
        await using var db = stack.Database();

        await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.8", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await UntilStateAsync(tenant, tenant.DoorId, "online");
        Assert.Empty(receiver.OfDevice(tenant.DoorId)); // a door coming online for the first time is no news

        var started = DateTimeOffset.UtcNow;
        await Exec(db, "DELETE FROM ps_contacts WHERE endpoint = @u", tenant.DoorSipUsername);
        await Eventually.FoundAsync(() => receiver.OfDevice(tenant.DoorId).FirstOrDefault(), what: "the first offline alert");
        // Flapping: back, lost, back, lost, well within the quiet period.
        for (var i = 0; i < 2; i++)
        {
            await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.8", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
            await UntilStateAsync(tenant, tenant.DoorId, "online");
            await Exec(db, "DELETE FROM ps_contacts WHERE endpoint = @u", tenant.DoorSipUsername);
            await UntilStateAsync(tenant, tenant.DoorId, "offline");
        }
        var duringQuiet = receiver.OfDevice(tenant.DoorId).Select(r => r.Json.GetProperty("type").GetString()).ToList();
        Assert.True(DateTimeOffset.UtcNow - started < DeviceStatusStackFixture.QuietPeriod, "the flapping took longer than the quiet period: the test proves nothing");
        // The loss, then one recovery (reported at once); the second loss waits for the quiet period to end.
        Assert.Equal(["device.offline", "device.online"], duringQuiet);

        var third = await Eventually.FoundAsync(() => receiver.OfDevice(tenant.DoorId).Skip(2).FirstOrDefault(), TimeSpan.FromSeconds(20), "the offline alert after the quiet period");
        Assert.Equal("device.offline", third.Json.GetProperty("type").GetString());
        Assert.True(third.At - started >= DeviceStatusStackFixture.QuietPeriod - TimeSpan.FromMilliseconds(300), "not before the quiet period ended");
        Assert.True(third.Json.GetProperty("changes").GetInt32() >= 2, "it says the door flapped meanwhile");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(3, receiver.OfDevice(tenant.DoorId).Count);
    }

    [Fact]
    public async Task A_registered_door_that_stops_answering_qualify_goes_offline_and_comes_back_when_it_answers()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await using var db = stack.Database();
        await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.9", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await UntilStateAsync(tenant, tenant.DoorId, "online");

        await stack.Asterisk.QualifyAsync(tenant.DoorSipUsername, "Unreachable");
        var offline = await UntilStateAsync(tenant, tenant.DoorId, "offline");
        Assert.NotEqual(JsonValueKind.Null, offline.GetProperty("unreachableSince").ValueKind);
        await Eventually.TrueAsync(async () => (await AlertsAsync(tenant, tenant.DoorId)).GetProperty("totalCount").GetInt32() == 1, what: "the offline alert");

        await stack.Asterisk.QualifyAsync(tenant.DoorSipUsername, "Reachable");
        var online = await UntilStateAsync(tenant, tenant.DoorId, "online");
        Assert.Equal(JsonValueKind.Null, online.GetProperty("unreachableSince").ValueKind);
        var alerts = await Eventually.FoundAsync(async () => await AlertsAsync(tenant, tenant.DoorId) is var a && a.GetProperty("totalCount").GetInt32() == 2 ? a : (JsonElement?)null, what: "the recovery");
        // No webhook configured: the alerts are in the console, with no delivery.
        Assert.All(alerts.GetProperty("items").EnumerateArray(), a => Assert.Equal(JsonValueKind.Null, a.GetProperty("delivery").ValueKind));
    }

    [Fact]
    public async Task A_qualify_report_PostgreSQL_fails_to_take_is_kept_until_it_can_unless_a_newer_report_replaces_it()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await using var db = stack.Database();
        await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.12", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await UntilStateAsync(tenant, tenant.DoorId, "online");

        // PostgreSQL fails each update of this door's qualify state (an error from the server, in the middle of the
        // apply, as an outage gives), and counts the failures in a sequence, which the failed statement does not roll back.
        var name = $"refuse_qualify_{tenant.DoorId:N}";
        await using (var create = new NpgsqlCommand($"""
            CREATE SEQUENCE {name};
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM nextval('{name}'); RAISE EXCEPTION 'the test refuses this update'; END $$;
            """, db)) await create.ExecuteNonQueryAsync();
        async Task RefuseAsync(bool refuse)
        {
            await using var command = new NpgsqlCommand(refuse
                ? $"""CREATE TRIGGER {name} BEFORE UPDATE OF "UnreachableSince" ON "DevicePresence" FOR EACH ROW WHEN (NEW."DeviceId" = '{tenant.DoorId}') EXECUTE FUNCTION {name}()"""
                : $"""DROP TRIGGER IF EXISTS {name} ON "DevicePresence" """, db);
            await command.ExecuteNonQueryAsync();
        }
        async Task<long> FailuresAsync()
        {
            await using var command = new NpgsqlCommand($"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {name}", db);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        try
        {
            // The report that failed is tried again each round (not dropped), and applied once PostgreSQL takes it.
            await RefuseAsync(true);
            await stack.Asterisk.QualifyAsync(tenant.DoorSipUsername, "Unreachable");
            await Eventually.TrueAsync(async () => await FailuresAsync() >= 3, what: "the failed report tried again");
            await RefuseAsync(false);
            var offline = await UntilStateAsync(tenant, tenant.DoorId, "offline");
            Assert.NotEqual(JsonValueKind.Null, offline.GetProperty("unreachableSince").ValueKind);
            await stack.Asterisk.QualifyAsync(tenant.DoorSipUsername, "Reachable");
            await UntilStateAsync(tenant, tenant.DoorId, "online");

            // A newer report for the door, arriving while the old one is kept, replaces it: the old one is not applied after it.
            await RefuseAsync(true);
            var before = await FailuresAsync();
            await stack.Asterisk.QualifyAsync(tenant.DoorSipUsername, "Unreachable");
            await Eventually.TrueAsync(async () => await FailuresAsync() >= before + 2, what: "the failed report kept");
            await stack.Asterisk.QualifyAsync(tenant.DoorSipUsername, "Reachable");
            await Task.Delay(TimeSpan.FromSeconds(1)); // four rounds: the newer report applied, nothing left to fail
            var settled = await FailuresAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(settled, await FailuresAsync());
            await RefuseAsync(false);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var online = await UntilStateAsync(tenant, tenant.DoorId, "online");
            Assert.Equal(JsonValueKind.Null, online.GetProperty("unreachableSince").ValueKind);
        }
        finally
        {
            await RefuseAsync(false);
            await using var drop = new NpgsqlCommand($"DROP FUNCTION IF EXISTS {name}(); DROP SEQUENCE IF EXISTS {name}", db);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_backoff_until_it_answers_and_one_that_never_does_is_given_up()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await using var flaky = await WebhookReceiver.StartAsync(500, 503);
        await SetWebhookAsync(tenant, flaky.Url);
        await using var db = stack.Database();
        await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.10", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await UntilStateAsync(tenant, tenant.DoorId, "online");
        await Exec(db, "DELETE FROM ps_contacts WHERE endpoint = @u", tenant.DoorSipUsername);

        var delivered = await Eventually.FoundAsync(async () => await AlertsAsync(tenant, tenant.DoorId) is var a && a.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first
            && first.GetProperty("delivery").GetProperty("state").GetString() == "delivered" ? first.GetProperty("delivery") : (JsonElement?)null, what: "the delivery after two failures");
        Assert.Equal(3, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivered.GetProperty("lastStatusCode").GetInt32());
        var attempts = flaky.OfDevice(tenant.DoorId);
        Assert.Equal(3, attempts.Count);
        Assert.Single(attempts.Select(a => a.Delivery).Distinct()); // the same delivery each time: a receiver can tell a retry
        // Backoff: 200 ms, then 400 ms.
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(150));
        Assert.True(attempts[2].At - attempts[1].At >= TimeSpan.FromMilliseconds(350));

        // A receiver that always fails: given up after the configured attempts, the last answer shown.
        await using var broken = await WebhookReceiver.StartAsync(Enumerable.Repeat(500, 20).ToArray());
        await SetWebhookAsync(tenant, broken.Url);
        await RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.10", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        var failed = await Eventually.FoundAsync(async () => await AlertsAsync(tenant, tenant.DoorId) is var a && a.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first
            && first.GetProperty("kind").GetString() == "device.online" && first.GetProperty("delivery").GetProperty("state").GetString() == "failed" ? first.GetProperty("delivery") : (JsonElement?)null, what: "the given-up delivery");
        Assert.Equal(DeviceStatusStackFixture.WebhookMaxAttempts, failed.GetProperty("attempts").GetInt32());
        Assert.Equal(500, failed.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(DeviceStatusStackFixture.WebhookMaxAttempts, broken.OfDevice(tenant.DoorId).Count);
    }

    [Fact]
    public async Task The_webhook_is_refused_when_malformed_and_each_tenant_sees_only_its_own_status_alerts_and_webhook()
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var a = await AdminWorld.CreateTenantAsync(stack, platform);
        var b = await AdminWorld.CreateTenantAsync(stack, platform);
        await using var receiver = await WebhookReceiver.StartAsync();

        foreach (var url in new[] { "ftp://example.com/hook", "not a url", "http://user:pass@example.com/hook" })
        {
            var bad = await a.Admin.SendAsync(HttpMethod.Put, "/api/admin/alert-webhook", new { url });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.SendAsync(HttpMethod.Get, "/api/admin/alert-webhook")).StatusCode);
        await SetWebhookAsync(b, receiver.Url);
        // A's administrator names B's tenant: not found, and B's webhook is unchanged.
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.SendAsync(HttpMethod.Get, $"/api/admin/alert-webhook?tenantId={b.TenantId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.SendAsync(HttpMethod.Put, "/api/admin/alert-webhook", new { url = "https://evil.example/x", tenantId = b.TenantId })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Admin.SendAsync(HttpMethod.Delete, $"/api/admin/alert-webhook?tenantId={b.TenantId}")).StatusCode);
        Assert.Equal(receiver.Url, (await b.Admin.GetAsync("/api/admin/alert-webhook")).GetProperty("url").GetString());
        // The secret is shown when made, never again.
        Assert.False((await b.Admin.GetAsync("/api/admin/alert-webhook")).TryGetProperty("secret", out var s) && s.ValueKind != JsonValueKind.Null);

        await using var db = stack.Database();
        await RegisterAsync(db, b.DoorSipUsername, "198.51.100.11", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await UntilStateAsync(b, b.DoorId, "online");
        await Exec(db, "DELETE FROM ps_contacts WHERE endpoint = @u", b.DoorSipUsername);
        await Eventually.TrueAsync(async () => (await AlertsAsync(b, b.DoorId)).GetProperty("totalCount").GetInt32() == 1, what: "B's alert");

        var aStatus = await a.Admin.GetAsync("/api/admin/device-status?pageSize=200");
        Assert.DoesNotContain(aStatus.GetProperty("items").EnumerateArray(), d => d.GetProperty("tenantId").GetGuid() == b.TenantId);
        Assert.Equal(0, (await AlertsAsync(a, b.DoorId)).GetProperty("totalCount").GetInt32());
        Assert.Equal(1, (await AlertsAsync(platform, b.DoorId)).GetProperty("totalCount").GetInt32());
        // A resident is no administrator.
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Resident.SendAsync(HttpMethod.Get, "/api/admin/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.Resident.SendAsync(HttpMethod.Get, "/api/admin/device-status")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ApiSession.Anonymous(stack).SendAsync(HttpMethod.Get, "/api/admin/alerts")).StatusCode);
    }

    private static async Task<string> SetWebhookAsync(AdminTenant tenant, string url)
    {
        var hook = await tenant.Admin.OkAsync(HttpMethod.Put, "/api/admin/alert-webhook", new { url });
        return hook.GetProperty("secret").GetString() is { Length: > 0 } secret ? secret : "";
    }

    private static Task<JsonElement> AlertsAsync(AdminTenant tenant, Guid deviceId) => AlertsAsync(tenant.Admin, deviceId);

    private static Task<JsonElement> AlertsAsync(ApiSession session, Guid deviceId) => session.GetAsync($"/api/admin/alerts?deviceId={deviceId}");

    private static List<string?> AlertIds(JsonElement alerts) =>
        alerts.GetProperty("items").EnumerateArray().Select(a => (string?)a.GetProperty("id").GetString()).ToList();

    private static Task<JsonElement> UntilStateAsync(AdminTenant tenant, Guid deviceId, string state) =>
        Eventually.FoundAsync(async () => (await tenant.Admin.GetAsync("/api/admin/device-status?pageSize=200")).GetProperty("items").EnumerateArray()
            .FirstOrDefault(d => d.GetProperty("deviceId").GetGuid() == deviceId && d.GetProperty("state").GetString() == state) is { ValueKind: JsonValueKind.Object } row
            ? row : (JsonElement?)null, what: $"device {deviceId} {state}");

    private static async Task Exec(NpgsqlConnection db, string sql, string username)
    {
        if (db.State != System.Data.ConnectionState.Open) await db.OpenAsync();
        await using var command = new NpgsqlCommand(sql, db);
        command.Parameters.AddWithValue("u", username);
        await command.ExecuteNonQueryAsync();
    }
}
