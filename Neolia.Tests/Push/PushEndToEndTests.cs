using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Push;

/// <summary>A stack with two Notifier replicas whose push providers are the TLS stand-ins.</summary>
public class PushStackFixture : StackFixture
{
    private string? certFile;
    public FakeGoogle Google { get; private set; } = null!;
    public FakeApns Apple { get; private set; } = null!;

    protected override int NotifierReplicas => 2;

    /// <summary>Push:ClaimIdle of the replicas: how long an unacknowledged event stays with its replica.</summary>
    protected virtual string ClaimIdle => "00:00:02";

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings => new Dictionary<string, IReadOnlyDictionary<string, string?>>
    {
        ["notifier"] = new Dictionary<string, string?>
        {
            ["SSL_CERT_FILE"] = certFile,
            ["Push__Fcm__ServiceAccountJson"] = Google.ServiceAccountJson(),
            ["Push__Fcm__BaseUrl"] = Google.BaseUrl.ToString(),
            ["Push__Apns__TeamId"] = FakeApns.TeamId,
            ["Push__Apns__KeyId"] = FakeApns.KeyId,
            ["Push__Apns__PrivateKey"] = Apple.PrivateKeyPem,
            ["Push__Apns__BundleId"] = FakeApns.BundleId,
            ["Push__Apns__Environment"] = "sandbox",
            ["Push__Apns__BaseUrl"] = Apple.BaseUrl.ToString(),
            ["Push__ClaimIdle"] = ClaimIdle,
            ["Push__RetryBaseDelay"] = "00:00:00.100",
        },
    };

    public override async Task InitializeAsync()
    {
        certFile = TestTlsFiles.WriteCertificatePem();
        Google = await FakeGoogle.StartAsync();
        Apple = await FakeApns.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Google.DisposeAsync();
        await Apple.DisposeAsync();
        if (certFile is not null) File.Delete(certFile);
    }
}

public sealed class PushEndToEndTests(PushStackFixture stack) : IClassFixture<PushStackFixture>
{
    private Task<HttpClient> SignedInAsync(TestResident resident) => PushApp.SignedInAsync(stack, resident);
    private static Task<JsonElement> RegisterAsync(HttpClient app, string platform, string token, string deviceId) => PushApp.RegisterAsync(app, platform, token, deviceId);
    private static Task Eventually(Func<bool> condition, string what, TimeSpan? timeout = null) => PushApp.Eventually(condition, what, timeout);

    [Fact]
    public async Task A_ring_reaches_every_registered_device_exactly_once_with_two_notifier_replicas()
    {
        var tenant = await stack.Data.CreateTenantAsync("1", "2");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "1");
        var neighbour = await stack.Data.AddResidentAsync(tenant, "2");
        using var residentApp = await SignedInAsync(resident);
        using var flatmateApp = await SignedInAsync(flatmate);
        using var neighbourApp = await SignedInAsync(neighbour);
        var androidToken = $"android-{Guid.NewGuid():N}";
        var voipToken = stack.Apple.AddVoipDevice();
        var alertToken = stack.Apple.AddAlertDevice();
        var flatmateToken = $"android-{Guid.NewGuid():N}";
        var neighbourToken = $"android-{Guid.NewGuid():N}";
        await RegisterAsync(residentApp, PushPlatforms.Fcm, androidToken, "pixel");
        await RegisterAsync(residentApp, PushPlatforms.ApnsVoip, voipToken, "iphone");
        await RegisterAsync(residentApp, PushPlatforms.Apns, alertToken, "iphone");
        await RegisterAsync(flatmateApp, PushPlatforms.Fcm, flatmateToken, "phone");
        await RegisterAsync(neighbourApp, PushPlatforms.Fcm, neighbourToken, "phone");

        var callId = await PushApp.RingAsync(stack, tenant, "1");

        FcmReceived[] Fcm() => stack.Google.Delivered.Where(m => m.Data["call_id"] == callId).ToArray();
        ApnsReceived[] Apns() => stack.Apple.Delivered.Where(m => (string?)m.Payload["call_id"] == callId).ToArray();
        await Eventually(() => Fcm().Length >= 2 && Apns().Length >= 1, "the ring's pushes");
        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than the claim idle time: a duplicate would show up now

        Assert.Equal(new[] { androidToken, flatmateToken }.Order(), Fcm().Select(m => m.Token).Order());
        Assert.Equal(2, Fcm().Length);
        var voip = Assert.Single(Apns());
        Assert.Equal((voipToken, "voip", FakeApns.BundleId + ".voip"), (voip.Token, voip.PushType, voip.Topic));
        Assert.DoesNotContain(stack.Google.Delivered, m => m.Token == neighbourToken);
        Assert.DoesNotContain(stack.Apple.Delivered, m => m.Token == alertToken); // an ordinary token never rings
        Assert.All(Fcm(), m => Assert.Equal(CallEventTypes.Ringing, m.Data["type"]));
        Assert.Empty(stack.Google.Violations);
        Assert.Empty(stack.Apple.Violations);
    }

    /// <summary>
    /// Answered by one resident: every registered device of the apartment gets a cancel — FCM a high-priority data
    /// message, iOS a background push to its ordinary (<c>apns</c>) token. The PushKit (<c>apns-voip</c>) token gets the
    /// ring only: iOS requires every VoIP push to report a new call.
    /// </summary>
    [Fact]
    public async Task Answering_sends_cancel_pushes_that_are_never_voip()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var answerer = await stack.Data.AddResidentAsync(tenant, "1");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "1");
        using var answererApp = await SignedInAsync(answerer);
        using var flatmateApp = await SignedInAsync(flatmate);
        var answererTablet = $"android-{Guid.NewGuid():N}";
        var flatmateAndroid = $"android-{Guid.NewGuid():N}";
        var voipToken = stack.Apple.AddVoipDevice();
        var alertToken = stack.Apple.AddAlertDevice();
        await RegisterAsync(answererApp, PushPlatforms.Fcm, answererTablet, "tablet");
        await RegisterAsync(flatmateApp, PushPlatforms.Fcm, flatmateAndroid, "pixel");
        await RegisterAsync(flatmateApp, PushPlatforms.ApnsVoip, voipToken, "iphone");
        await RegisterAsync(flatmateApp, PushPlatforms.Apns, alertToken, "iphone");

        var callId = await PushApp.RingAsync(stack, tenant, "1");
        FcmReceived[] Fcm(string type) => stack.Google.Delivered.Where(m => m.Data["call_id"] == callId && m.Data["type"] == type).ToArray();
        ApnsReceived[] Apns() => stack.Apple.Delivered.Where(m => (string?)m.Payload["call_id"] == callId).ToArray();
        await Eventually(() => Fcm(CallEventTypes.Ringing).Length == 2 && Apns().Length == 1, "the ring's pushes");

        using (var answer = await answererApp.PostAsync($"/api/calls/{callId}/answer", null)) await answer.EnsureSuccessWithBodyAsync();

        await Eventually(() => Fcm(CallEventTypes.Answered).Length == 2 && Apns().Length == 2, "the cancel pushes");
        await Task.Delay(TimeSpan.FromSeconds(3)); // longer than the claim idle time: a duplicate or a late VoIP push would show up now

        Assert.Equal(new[] { answererTablet, flatmateAndroid }.Order(), Fcm(CallEventTypes.Answered).Select(m => m.Token).Order());
        Assert.All(Fcm(CallEventTypes.Answered), m =>
        {
            Assert.Equal(CallStatuses.Answered, m.Data["status"]);
            Assert.Equal(answerer.Id.ToString(), m.Data["answered_by"]);
            Assert.Equal("high", ((string?)m.Android["priority"])?.ToLowerInvariant());
        });
        var ring = Assert.Single(Apns(), m => m.PushType == "voip");
        Assert.Equal(voipToken, ring.Token);
        var cancel = Assert.Single(Apns(), m => m.PushType != "voip");
        Assert.Equal((alertToken, "background", FakeApns.BundleId, "5"), (cancel.Token, cancel.PushType, cancel.Topic, cancel.Priority));
        Assert.Equal(CallEventTypes.Answered, (string?)cancel.Payload["type"]);
        Assert.DoesNotContain(stack.Apple.Delivered, m => m.Token == voipToken && (string?)m.Payload["type"] != CallEventTypes.Ringing);
        Assert.Empty(stack.Google.Violations);
        Assert.Empty(stack.Apple.Violations);
    }

    /// <summary>
    /// A resident who declines on one device stops ringing on their others (a cancel push, never VoIP); a flatmate's
    /// devices get nothing, since the call still rings for them.
    /// </summary>
    [Fact]
    public async Task Declining_cancels_the_decliners_other_devices_only()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var decliner = await stack.Data.AddResidentAsync(tenant, "1");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "1");
        using var declinerApp = await SignedInAsync(decliner);
        using var flatmateApp = await SignedInAsync(flatmate);
        var declinerTablet = $"android-{Guid.NewGuid():N}";
        var flatmatePhone = $"android-{Guid.NewGuid():N}";
        var declinerVoip = stack.Apple.AddVoipDevice();
        var declinerAlert = stack.Apple.AddAlertDevice();
        await RegisterAsync(declinerApp, PushPlatforms.Fcm, declinerTablet, "tablet");
        await RegisterAsync(declinerApp, PushPlatforms.ApnsVoip, declinerVoip, "iphone");
        await RegisterAsync(declinerApp, PushPlatforms.Apns, declinerAlert, "iphone");
        await RegisterAsync(flatmateApp, PushPlatforms.Fcm, flatmatePhone, "pixel");

        var callId = await PushApp.RingAsync(stack, tenant, "1");
        FcmReceived[] Fcm(string type) => stack.Google.Delivered.Where(m => m.Data["call_id"] == callId && m.Data["type"] == type).ToArray();
        ApnsReceived[] Apns() => stack.Apple.Delivered.Where(m => (string?)m.Payload["call_id"] == callId).ToArray();
        await Eventually(() => Fcm(CallEventTypes.Ringing).Length == 2 && Apns().Length == 1, "the ring's pushes");

        using (var decline = await declinerApp.PostAsync($"/api/calls/{callId}/decline", null)) await decline.EnsureSuccessWithBodyAsync();

        await Eventually(() => Fcm(CallEventTypes.Declined).Length == 1 && Apns().Length == 2, "the decliner's cancel pushes");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a push to the flatmate or a late VoIP push would show up now

        var cancel = Assert.Single(Fcm(CallEventTypes.Declined));
        Assert.Equal((declinerTablet, CallStatuses.Declined), (cancel.Token, cancel.Data["status"]));
        Assert.DoesNotContain(stack.Google.Delivered, m => m.Token == flatmatePhone && m.Data["type"] != CallEventTypes.Ringing);
        var iosCancel = Assert.Single(Apns(), m => m.PushType != "voip");
        Assert.Equal(declinerAlert, iosCancel.Token);
        Assert.Single(Apns(), m => m.Token == declinerVoip); // the ring, and nothing else
        Assert.Empty(stack.Google.Violations);
        Assert.Empty(stack.Apple.Violations);
    }

    /// <summary>The visitor hung up before anyone answered: iOS shows a "missed call" alert on the ordinary token, never a VoIP push.</summary>
    [Fact]
    public async Task A_visitor_hanging_up_sends_an_alert_to_ios_never_voip()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        using var app = await SignedInAsync(resident);
        var voipToken = stack.Apple.AddVoipDevice();
        var alertToken = stack.Apple.AddAlertDevice();
        await RegisterAsync(app, PushPlatforms.ApnsVoip, voipToken, "iphone");
        await RegisterAsync(app, PushPlatforms.Apns, alertToken, "iphone");

        var call = await stack.RingCallAsync(tenant, "1");
        var callId = call.Id;
        ApnsReceived[] Apns() => stack.Apple.Delivered.Where(m => (string?)m.Payload["call_id"] == callId).ToArray();
        await Eventually(() => Apns().Length == 1, "the VoIP ring");

        await stack.VisitorHangsUpAsync(call);

        await Eventually(() => Apns().Length == 2, "the cancel push");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var cancel = Assert.Single(Apns(), m => m.Token == alertToken);
        Assert.Equal(("alert", FakeApns.BundleId, CallEventTypes.Ended, CallStatuses.Cancelled),
            (cancel.PushType, cancel.Topic, (string?)cancel.Payload["type"], (string?)cancel.Payload["status"]));
        Assert.Equal($"call-{Guid.Parse(callId):N}", cancel.CollapseId);
        Assert.Single(Apns(), m => m.Token == voipToken); // the ring, and nothing else
        Assert.Empty(stack.Apple.Violations);
    }

    [Fact]
    public async Task A_slow_push_is_not_taken_over_by_the_other_replica()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        using var app = await SignedInAsync(resident);
        var voipToken = stack.Apple.AddVoipDevice();
        await RegisterAsync(app, PushPlatforms.ApnsVoip, voipToken, "iphone");

        stack.Apple.Hold.Engage();
        try
        {
            var callId = await PushApp.RingAsync(stack, tenant, "1");
            await Eventually(() => stack.Apple.Hold.Held.Contains(voipToken), "the VoIP push to be held");
            // Apple is slow for 2.5 times Push:ClaimIdle (2 s): the replica sending is alive, so nobody claims its event.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.Equal(1, stack.Apple.Hold.Held.Count(t => t == voipToken));
            stack.Apple.Hold.Release();

            await Eventually(() => stack.Apple.Delivered.Any(m => (string?)m.Payload["call_id"] == callId), "the VoIP push");
            await Task.Delay(TimeSpan.FromSeconds(3)); // longer than the claim idle time: a duplicate would show up now
            Assert.Single(stack.Apple.Delivered, m => (string?)m.Payload["call_id"] == callId);
            Assert.Empty(stack.Apple.Hold.Abandoned);
        }
        finally
        {
            stack.Apple.Hold.Release();
        }
    }

    [Fact]
    public async Task A_dead_token_is_deleted()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        using var app = await SignedInAsync(resident);
        var gone = stack.Apple.AddVoipDevice();
        stack.Apple.Unregister(gone);
        await RegisterAsync(app, PushPlatforms.ApnsVoip, gone, "old-iphone");
        var alive = await RegisterAsync(app, PushPlatforms.Fcm, $"dead-{Guid.NewGuid():N}", "old-android");
        var kept = await RegisterAsync(app, PushPlatforms.Fcm, $"android-{Guid.NewGuid():N}", "pixel");

        await PushApp.RingAsync(stack, tenant, "1");

        async Task<string[]> Registered() => (await app.GetFromJsonAsync<JsonElement>("/api/push-registrations"))
            .EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToArray();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while ((await Registered()).Length != 1 && DateTime.UtcNow < deadline) await Task.Delay(200);

        Assert.Equal([kept.GetProperty("id").GetString()!], await Registered());
        Assert.NotEqual(alive.GetProperty("id").GetString(), kept.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Registrations_are_validated_upserted_per_device_and_private_to_their_owner()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var other = await stack.Data.AddResidentAsync(tenant, "1");
        using var app = await SignedInAsync(resident);
        using var otherApp = await SignedInAsync(other);

        using (var invalid = await app.PostAsJsonAsync("/api/push-registrations", new { platform = "sms", token = "x", deviceId = "d" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("platform", out _));
        }
        using (var badApns = await app.PostAsJsonAsync("/api/push-registrations", new { platform = "apns-voip", token = "not hex", deviceId = "d" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badApns.StatusCode);
        }

        var first = await RegisterAsync(app, PushPlatforms.Fcm, $"android-{Guid.NewGuid():N}", "pixel");
        var newToken = $"android-{Guid.NewGuid():N}";
        var second = await RegisterAsync(app, PushPlatforms.Fcm, newToken, "pixel");
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(newToken, second.GetProperty("token").GetString());
        await RegisterAsync(app, PushPlatforms.Fcm, $"android-{Guid.NewGuid():N}", "tablet");
        Assert.Equal(2, (await app.GetFromJsonAsync<JsonElement>("/api/push-registrations")).GetArrayLength());
        Assert.Equal(0, (await otherApp.GetFromJsonAsync<JsonElement>("/api/push-registrations")).GetArrayLength());
        var me = await app.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal(["pixel", "tablet"], me.GetProperty("pushRegistrations").EnumerateArray().Select(r => r.GetProperty("deviceId").GetString()).Order());
        Assert.Equal(0, (await otherApp.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("pushRegistrations").GetArrayLength());

        using (var notMine = await otherApp.DeleteAsync($"/api/push-registrations/{first.GetProperty("id").GetString()}"))
            Assert.Equal(HttpStatusCode.NotFound, notMine.StatusCode);
        using (var mine = await app.DeleteAsync($"/api/push-registrations/{first.GetProperty("id").GetString()}"))
            Assert.Equal(HttpStatusCode.NoContent, mine.StatusCode);
        Assert.Equal(1, (await app.GetFromJsonAsync<JsonElement>("/api/push-registrations")).GetArrayLength());
    }
}

/// <summary>What the push tests do as the door (through Asterisk) and as the resident app.</summary>
public static class PushApp
{
    /// <summary>The door rings the apartment (over ARI, as Asterisk hands it to CallApi); the call's id once CallApi recorded it.</summary>
    public static async Task<string> RingAsync(StackFixture stack, TestTenant tenant, string apartment) =>
        (await stack.RingCallAsync(tenant, apartment)).Id;

    public static async Task<HttpClient> SignedInAsync(StackFixture stack, TestResident resident)
    {
        var token = (await stack.LoginAsync(resident.Email, resident.Password)).AccessToken;
        var client = new HttpClient { BaseAddress = stack.Stack.GatewayUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<JsonElement> RegisterAsync(HttpClient app, string platform, string token, string deviceId)
    {
        using var response = await app.PostAsJsonAsync("/api/push-registrations", new { platform, token, deviceId, appId = "com.neolia.resident" });
        await response.EnsureSuccessWithBodyAsync();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>What a service of the stack has logged so far (the file is still being written).</summary>
    public static async Task<string> LogOfAsync(StackFixture stack, string service)
    {
        await using var file = new FileStream(Path.Combine(stack.Stack.LogDirectory, $"{service}.log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(file);
        return await reader.ReadToEndAsync();
    }

    public static async Task Eventually(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
