using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Neolia.Contracts;
using Neolia.Notifier.Push;

namespace Neolia.Tests.Push;

/// <summary>The FCM and APNs senders against real HTTP/2 TLS stand-ins that check the wire formats.</summary>
public sealed class PushSenderTests
{
    private static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);

    private CallPush Ring(Guid? callId = null) => new()
    {
        Kind = PushKind.Ring,
        EventType = CallEventTypes.Ringing,
        CallId = callId ?? Guid.NewGuid(),
        Status = CallStatuses.Ringing,
        SentAt = time.GetUtcNow(),
        ExpiresAt = time.GetUtcNow() + RingTimeout,
        Details = new IncomingCallDetails("call-room", "wss://intercom.example", "door-1", "Front door", "12", time.GetUtcNow(), time.GetUtcNow() + RingTimeout),
    };

    private CallPush Cancel(string status, string type = CallEventTypes.Ended) => new()
    {
        Kind = PushKind.Cancel,
        EventType = type,
        CallId = Guid.NewGuid(),
        Status = status,
        SentAt = time.GetUtcNow(),
        ExpiresAt = time.GetUtcNow() + RingTimeout,
        AnsweredBy = status == CallStatuses.Answered ? Guid.NewGuid() : null,
    };

    private FcmSender Fcm(FakeGoogle google, HttpClient? http = null)
    {
        var account = FcmServiceAccount.Parse(google.ServiceAccountJson());
        http ??= new HttpClient(TestTls.TrustingHandler());
        return new FcmSender(account, google.BaseUrl, new FcmAccessTokens(account, http, time), http, time);
    }

    private ApnsSender Apns(FakeApns apns, Uri? baseUrl = null) => new(new ApnsCredentials
    {
        TeamId = FakeApns.TeamId,
        KeyId = FakeApns.KeyId,
        PrivateKey = ApnsCredentials.ParseKey(apns.PrivateKeyPem),
        BundleId = FakeApns.BundleId,
        BaseUrl = baseUrl ?? apns.BaseUrl,
        ProviderTokenLifetime = TimeSpan.FromMinutes(50),
    }, new HttpClient(TestTls.TrustingHandler()), time);

    private static PushTarget Target(string platform, string token) => new(Guid.NewGuid(), platform, token);

    [Fact]
    public async Task Fcm_exchanges_one_access_token_for_several_sends_and_renews_it_before_expiry()
    {
        await using var google = await FakeGoogle.StartAsync(time);
        var sender = Fcm(google);

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => sender.SendAsync(Target(PushPlatforms.Fcm, $"device-{i}"), Ring(), default)));

        Assert.All(results, r => Assert.Equal(PushOutcome.Sent, r.Outcome));
        Assert.Equal(1, google.TokenRequests);
        Assert.Equal(5, google.Delivered.Count);

        time.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.Fcm, "device-x"), Ring(), default)).Outcome);
        Assert.Equal(1, google.TokenRequests);

        time.Advance(TimeSpan.FromMinutes(6)); // within 5 minutes of the 1 h expiry: renewed
        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.Fcm, "device-y"), Ring(), default)).Outcome);
        Assert.Equal(2, google.TokenRequests);
        Assert.Empty(google.Violations);
    }

    [Fact]
    public async Task Fcm_ring_is_a_high_priority_data_only_message_with_string_values_and_the_ring_ttl()
    {
        await using var google = await FakeGoogle.StartAsync(time);
        var push = Ring();

        var result = await Fcm(google).SendAsync(Target(PushPlatforms.Fcm, "android-1"), push, default);

        Assert.Equal(PushOutcome.Sent, result.Outcome);
        Assert.Empty(google.Violations);
        var message = Assert.Single(google.Delivered);
        Assert.Equal("android-1", message.Token);
        Assert.False(message.Message.ContainsKey("notification"));
        Assert.Equal("high", (string?)message.Android["priority"]);
        Assert.Equal("30s", (string?)message.Android["ttl"]);
        Assert.Equal(CallEventTypes.Ringing, message.Data["type"]);
        Assert.Equal(push.CallId.ToString(), message.Data["call_id"]);
        Assert.Equal(push.SentAt, DateTimeOffset.Parse(message.Data["sent_at"]));
        Assert.Equal(push.ExpiresAt, DateTimeOffset.Parse(message.Data["expires_at"]));
        Assert.Equal("Front door", message.Data["device"]);
        Assert.Equal("12", message.Data["apartment"]);
        Assert.Equal("call-room", message.Data["room"]);
    }

    [Fact]
    public async Task Fcm_cancel_is_a_high_priority_data_message_and_a_stale_push_is_not_sent()
    {
        await using var google = await FakeGoogle.StartAsync(time);
        var sender = Fcm(google);

        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.Fcm, "android-1"), Cancel(CallStatuses.Answered, CallEventTypes.Answered), default)).Outcome);
        var cancel = Assert.Single(google.Delivered);
        Assert.Equal("high", (string?)cancel.Android["priority"]);
        Assert.Equal(CallEventTypes.Answered, cancel.Data["type"]);
        Assert.Equal(CallStatuses.Answered, cancel.Data["status"]);
        Assert.True(cancel.Data.ContainsKey("answered_by"));

        var stale = Ring();
        time.Advance(RingTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal(PushOutcome.Skipped, (await sender.SendAsync(Target(PushPlatforms.Fcm, "android-1"), stale, default)).Outcome);
        Assert.Equal(1, google.SendRequests);
        Assert.Empty(google.Violations);
    }

    [Theory]
    [InlineData("dead-1", PushOutcome.DeadToken)]     // 404 UNREGISTERED
    [InlineData("invalid-1", PushOutcome.DeadToken)]  // 400 INVALID_ARGUMENT about the token
    [InlineData("busy-1", PushOutcome.Retryable)]     // 503 UNAVAILABLE
    [InlineData("fine-1", PushOutcome.Sent)]
    public async Task Fcm_answers_are_classified(string token, PushOutcome expected)
    {
        await using var google = await FakeGoogle.StartAsync(time);
        var result = await Fcm(google).SendAsync(Target(PushPlatforms.Fcm, token), Ring(), default);
        Assert.Equal(expected, result.Outcome);
        Assert.Empty(google.Violations);
    }

    [Fact]
    public void Fcm_errors_that_are_not_about_the_token_are_not_dead()
    {
        const string badPayload = """{"error":{"code":400,"message":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value"}]}]}}""";
        Assert.Equal(PushOutcome.Failed, FcmSender.Classify(HttpStatusCode.BadRequest, badPayload, null).Outcome);
        const string quota = """{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"QUOTA_EXCEEDED"}]}}""";
        var throttled = FcmSender.Classify(HttpStatusCode.TooManyRequests, quota, TimeSpan.FromSeconds(7));
        Assert.Equal(PushOutcome.Retryable, throttled.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), throttled.RetryAfter);
        Assert.Equal(PushOutcome.Retryable, FcmSender.Classify(HttpStatusCode.InternalServerError, "oops", null).Outcome);
        Assert.Equal(PushOutcome.Retryable, FcmSender.Classify(HttpStatusCode.Unauthorized, """{"error":{"code":401,"status":"UNAUTHENTICATED"}}""", null).Outcome);
        Assert.Equal(PushOutcome.Failed, FcmSender.Classify(HttpStatusCode.Forbidden, """{"error":{"code":403,"status":"PERMISSION_DENIED"}}""", null).Outcome);
    }

    [Fact]
    public async Task Fcm_with_a_key_google_does_not_know_fails_without_sending()
    {
        await using var google = await FakeGoogle.StartAsync(time);
        // A service account whose key is not the one Google holds: the token exchange is refused (invalid_grant).
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var json = System.Text.Json.Nodes.JsonNode.Parse(google.ServiceAccountJson())!.AsObject();
        json["private_key"] = otherKey.ExportPkcs8PrivateKeyPem();
        var account = FcmServiceAccount.Parse(json.ToJsonString());
        var http = new HttpClient(TestTls.TrustingHandler());
        var sender = new FcmSender(account, google.BaseUrl, new FcmAccessTokens(account, http, time), http, time);

        var result = await sender.SendAsync(Target(PushPlatforms.Fcm, "android-1"), Ring(), default);

        Assert.Equal(PushOutcome.Failed, result.Outcome);
        Assert.Equal(0, google.SendRequests);
        Assert.Contains(google.Violations, v => v.Contains("Signature", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unreachable_services_are_retryable()
    {
        var closed = new Uri($"https://127.0.0.1:{FreePort()}/");
        await using var google = await FakeGoogle.StartAsync(time);
        var account = FcmServiceAccount.Parse(google.ServiceAccountJson());
        var http = new HttpClient(TestTls.TrustingHandler());
        var fcm = new FcmSender(account, closed, new FcmAccessTokens(account, http, time), http, time);
        Assert.Equal(PushOutcome.Retryable, (await fcm.SendAsync(Target(PushPlatforms.Fcm, "a"), Ring(), default)).Outcome);

        await using var apns = await FakeApns.StartAsync(time);
        var sender = Apns(apns, closed);
        Assert.Equal(PushOutcome.Retryable, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, apns.AddVoipDevice()), Ring(), default)).Outcome);
    }

    [Fact]
    public async Task Apns_ring_is_a_voip_push_over_http2_with_the_voip_topic_priority_10_and_the_ring_expiry()
    {
        await using var apns = await FakeApns.StartAsync(time);
        var token = apns.AddVoipDevice();
        var push = Ring();

        var result = await Apns(apns).SendAsync(Target(PushPlatforms.ApnsVoip, token), push, default);

        Assert.Equal(PushOutcome.Sent, result.Outcome);
        Assert.Empty(apns.Violations);
        var received = Assert.Single(apns.Delivered);
        Assert.Equal(token, received.Token);
        Assert.Equal("voip", received.PushType);
        Assert.Equal(FakeApns.BundleId + ".voip", received.Topic);
        Assert.Equal("10", received.Priority);
        Assert.Equal(push.ExpiresAt.ToUnixTimeSeconds(), received.Expiration);
        Assert.Equal(push.CallId.ToString(), (string?)received.Payload["call_id"]);
        Assert.Equal(CallEventTypes.Ringing, (string?)received.Payload["type"]);
        Assert.NotNull(received.Payload["sent_at"]);
    }

    [Fact]
    public async Task Apns_provider_token_is_reused_and_renewed_within_apples_20_to_60_minutes()
    {
        await using var apns = await FakeApns.StartAsync(time);
        var sender = Apns(apns);
        var token = apns.AddVoipDevice();

        for (var i = 0; i < 3; i++) Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, token), Ring(), default)).Outcome);
        Assert.Single(apns.ProviderTokensSeen);

        time.Advance(TimeSpan.FromMinutes(25));
        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, token), Ring(), default)).Outcome);
        Assert.Single(apns.ProviderTokensSeen);

        time.Advance(TimeSpan.FromMinutes(30)); // 55 minutes old: a new one, before Apple's 60-minute limit
        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, token), Ring(), default)).Outcome);
        Assert.Equal(2, apns.ProviderTokensSeen.Count);
        Assert.Empty(apns.Violations);
    }

    [Fact]
    public async Task Apns_cancel_is_never_a_voip_push()
    {
        await using var apns = await FakeApns.StartAsync(time);
        var sender = Apns(apns);
        var voipToken = apns.AddVoipDevice();
        var alertToken = apns.AddAlertDevice();

        // The PushKit token gets nothing: a VoIP push that reports no new call gets the app killed and throttled.
        foreach (var status in new[] { CallStatuses.Answered, CallStatuses.Missed, CallStatuses.Cancelled, CallStatuses.Ended })
        {
            Assert.Equal(PushOutcome.Skipped, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, voipToken), Cancel(status), default)).Outcome);
        }
        Assert.Equal(0, apns.Requests);

        var missed = Cancel(CallStatuses.Missed);
        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.Apns, alertToken), missed, default)).Outcome);
        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.Apns, alertToken), Cancel(CallStatuses.Answered, CallEventTypes.Answered), default)).Outcome);
        // And a ring never goes to the ordinary token as an alert.
        Assert.Equal(PushOutcome.Skipped, (await sender.SendAsync(Target(PushPlatforms.Apns, alertToken), Ring(), default)).Outcome);

        Assert.Empty(apns.Violations);
        var received = apns.Delivered.ToArray();
        Assert.Equal(2, received.Length);
        Assert.All(received, r =>
        {
            Assert.NotEqual("voip", r.PushType);
            Assert.Equal(FakeApns.BundleId, r.Topic);
        });
        Assert.Equal(("alert", "10", $"call-{missed.CallId:N}"), (received[0].PushType, received[0].Priority, received[0].CollapseId));
        Assert.Equal(missed.CallId.ToString(), (string?)received[0].Payload["call_id"]);
        Assert.Equal(("background", "5"), (received[1].PushType, received[1].Priority));
    }

    [Fact]
    public async Task Apns_unregistered_and_bad_tokens_are_dead()
    {
        await using var apns = await FakeApns.StartAsync(time);
        var sender = Apns(apns);
        var gone = apns.AddVoipDevice();
        apns.Unregister(gone);

        Assert.Equal(PushOutcome.DeadToken, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, gone), Ring(), default)).Outcome);
        Assert.Equal(PushOutcome.DeadToken, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, FakeApns.NewToken()), Ring(), default)).Outcome);
        Assert.Equal(PushOutcome.Sent, (await sender.SendAsync(Target(PushPlatforms.ApnsVoip, apns.AddVoipDevice()), Ring(), default)).Outcome);
        Assert.Empty(apns.Violations);
    }

    [Theory]
    [InlineData(400, """{"reason":"DeviceTokenNotForTopic"}""", PushOutcome.Failed)] // never delete a token for a topic mistake
    [InlineData(400, """{"reason":"BadTopic"}""", PushOutcome.Failed)]
    [InlineData(403, """{"reason":"ExpiredProviderToken"}""", PushOutcome.Retryable)]
    [InlineData(403, """{"reason":"InvalidProviderToken"}""", PushOutcome.Failed)]
    [InlineData(429, """{"reason":"TooManyRequests"}""", PushOutcome.Retryable)]
    [InlineData(500, """{"reason":"InternalServerError"}""", PushOutcome.Retryable)]
    [InlineData(503, """{"reason":"ServiceUnavailable"}""", PushOutcome.Retryable)]
    [InlineData(410, """{"reason":"ExpiredToken"}""", PushOutcome.DeadToken)]
    public void Apns_answers_are_classified(int status, string body, PushOutcome expected) =>
        Assert.Equal(expected, ApnsSender.Classify((HttpStatusCode)status, body, null).Outcome);

    [Fact]
    public void Push_is_optional_but_a_configured_provider_is_validated_naming_the_key()
    {
        Assert.False(Options(new()).Get().IsEnabled);

        var failure = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Push:Apns:TeamId"] = "TEAM123456" }).Get());
        Assert.Contains("Push:Apns:KeyId", failure.Message);
        Assert.Contains("Push:Apns:PrivateKey", failure.Message);
        Assert.Contains("Push:Apns:BundleId", failure.Message);

        const string secretLooking = "{\"type\":\"service_account\",\"project_id\":\"p\",\"client_email\":\"e\",\"token_uri\":\"https://t\",\"private_key\":\"TOP-SECRET-NOT-A-KEY\"}";
        failure = Assert.Throws<OptionsValidationException>(() => Options(new() { ["Push:Fcm:ServiceAccountJson"] = secretLooking }).Get());
        Assert.Contains("Push:Fcm:ServiceAccountJson", failure.Message);
        Assert.DoesNotContain("TOP-SECRET", failure.Message);

        failure = Assert.Throws<OptionsValidationException>(() => Options(new()
        {
            ["Push:Apns:TeamId"] = "T", ["Push:Apns:KeyId"] = "K", ["Push:Apns:BundleId"] = "b",
            ["Push:Apns:PrivateKey"] = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem(),
            ["Push:Apns:Environment"] = "staging",
        }).Get());
        Assert.Contains("Push:Apns:Environment", failure.Message);
    }

    [Fact]
    public async Task AddPush_stops_the_host_at_start_when_a_configured_provider_is_invalid()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Push:Apns:KeyId"] = "K" });
        builder.Services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(_ => StackExchange.Redis.ConnectionMultiplexer.Connect("127.0.0.1:1,abortConnect=false,connectTimeout=100"));
        builder.AddPush();
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Push:Apns:TeamId", e.Message);
    }

    private static PushOptionsAccessor Options(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPush();
        return new PushOptionsAccessor(builder.Build());
    }

    private sealed class PushOptionsAccessor(IHost host)
    {
        public PushOptions Get() => host.Services.GetRequiredService<IOptions<PushOptions>>().Value;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
