using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Neolia.Tests.Push;

public sealed record ApnsReceived(string Token, string PushType, string Topic, string Priority, long Expiration, string? CollapseId, string ApnsId, JsonObject Payload);

/// <summary>
/// Stands in for the APNs provider API: HTTP/2 only, on loopback TLS. It checks the provider token (ES256 against the
/// test key, kid, iss, age, refresh rate), every apns-* header, the payload against the push type, and that the token
/// belongs to the topic (a PushKit token only takes VoIP pushes on <c>{bundle}.voip</c>, an ordinary device token only
/// alert/background pushes on the bundle id), and answers as Apple does, including 410 Unregistered and 400 BadDeviceToken.
/// </summary>
public sealed partial class FakeApns : IAsyncDisposable
{
    public const string TeamId = "TEAM123456";
    public const string KeyId = "KEY1234567";
    public const string BundleId = "com.neolia.resident";

    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, bool> devices = new(); // token → is a VoIP (PushKit) token
    private readonly ConcurrentDictionary<string, long> unregistered = new();
    // Apple limits how often the provider token changes on a connection; several servers may each hold their own.
    private readonly ConcurrentDictionary<string, (string Jwt, long Iat)> lastProviderToken = new();
    private WebApplication? app;

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public string PrivateKeyPem => Key.ExportPkcs8PrivateKeyPem();
    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentQueue<ApnsReceived> Delivered { get; } = new();
    public ConcurrentQueue<string> Violations { get; } = new();
    /// <summary>Stalls push requests (after validation) while engaged.</summary>
    public RequestHold Hold { get; } = new();
    public ConcurrentDictionary<string, byte> ProviderTokensSeen { get; } = new();
    public int Requests => requests;
    private int requests;

    private FakeApns(TimeProvider time) => this.time = time;

    public static async Task<FakeApns> StartAsync(TimeProvider? time = null)
    {
        var fake = new FakeApns(time ?? TimeProvider.System);
        (fake.app, fake.BaseUrl) = await TestTls.StartAsync(HttpProtocols.Http2, app => app.MapPost("/3/device/{token}", (HttpContext c, string token) => fake.PushAsync(c, token)));
        return fake;
    }

    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    public string AddVoipDevice() { var t = NewToken(); devices[t] = true; return t; }
    public string AddAlertDevice() { var t = NewToken(); devices[t] = false; return t; }
    /// <summary>The app was uninstalled: APNs answers 410 from now on.</summary>
    public void Unregister(string token) => unregistered[token] = time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<IResult> PushAsync(HttpContext context, string token)
    {
        Interlocked.Increment(ref requests);
        var h = context.Request.Headers;
        var apnsId = h["apns-id"].ToString();
        if (apnsId.Length > 0 && !UuidPattern().IsMatch(apnsId)) return Reject(400, "BadMessageId", apnsId, violation: true);
        if (apnsId.Length == 0) apnsId = Guid.NewGuid().ToString("D");
        if (context.Request.Protocol != "HTTP/2") return Reject(400, "BadRequest (HTTP/2 required)", apnsId, violation: true);

        var auth = h.Authorization.ToString();
        if (!auth.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase)) return Reject(403, "MissingProviderToken", apnsId, violation: true);
        var jwt = TestJwt.TryParse(auth["bearer ".Length..]);
        if (jwt is null || (string?)jwt.Header["alg"] != "ES256" || (string?)jwt.Header["kid"] != KeyId ||
            (string?)jwt.Claims["iss"] != TeamId || !jwt.VerifiedBy(Key))
        {
            return Reject(403, "InvalidProviderToken", apnsId, violation: true);
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (jwt.NumericClaim("iat") is not { } iat || iat > now + 60) return Reject(403, "InvalidProviderToken", apnsId, violation: true);
        if (now - iat >= 3600) return Reject(403, "ExpiredProviderToken", apnsId, violation: true);
        var raw = auth["bearer ".Length..];
        var connection = context.Connection.Id;
        if (lastProviderToken.TryGetValue(connection, out var last) && last.Jwt != raw && iat - last.Iat < 20 * 60)
        {
            return Reject(429, "TooManyProviderTokenUpdates", apnsId, violation: true);
        }
        lastProviderToken[connection] = (raw, iat);
        ProviderTokensSeen.TryAdd(raw, 0);

        var pushType = h["apns-push-type"].ToString();
        if (pushType is not ("alert" or "background" or "voip")) return Reject(400, "InvalidPushType", apnsId, violation: true);
        var topic = h["apns-topic"].ToString();
        if (topic.Length == 0) return Reject(400, "MissingTopic", apnsId, violation: true);
        if (topic != BundleId && topic != BundleId + ".voip") return Reject(400, "TopicDisallowed", apnsId, violation: true);
        if ((pushType == "voip") != (topic == BundleId + ".voip")) return Reject(400, "BadTopic", apnsId, violation: true);
        var priority = h["apns-priority"].ToString();
        if (priority is not ("10" or "5" or "1")) return Reject(400, "BadPriority", apnsId, violation: true);
        if (pushType == "background" && priority != "5") return Reject(400, "BadPriority", apnsId, violation: true);
        if (pushType == "voip" && priority != "10") Violations.Enqueue("voip push without apns-priority 10");
        if (!long.TryParse(h["apns-expiration"].ToString(), out var expiration) || expiration < 0) return Reject(400, "BadExpirationDate", apnsId, violation: true);
        var collapseId = h["apns-collapse-id"].ToString();
        if (System.Text.Encoding.UTF8.GetByteCount(collapseId) > 64) return Reject(400, "BadCollapseId", apnsId, violation: true);

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        if (buffer.Length > (pushType == "voip" ? 5120 : 4096)) return Reject(413, "PayloadTooLarge", apnsId, violation: true);
        JsonObject payload;
        try
        {
            payload = JsonNode.Parse(buffer.ToArray())!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            return Reject(400, "PayloadEmpty", apnsId, violation: true);
        }
        if (payload["aps"] is not JsonObject aps) return Reject(400, "BadPayload (aps dictionary missing)", apnsId, violation: true);
        if (pushType == "background" && (aps["content-available"]?.GetValue<int>() != 1 || aps.ContainsKey("alert") || aps.ContainsKey("sound") || aps.ContainsKey("badge")))
            Violations.Enqueue("background push must carry only content-available: 1");
        if (pushType == "alert" && !aps.ContainsKey("alert")) Violations.Enqueue("alert push without aps.alert");

        if (!HexToken().IsMatch(token) || !devices.TryGetValue(token, out var isVoipToken)) return Reject(400, "BadDeviceToken", apnsId, violation: false);
        if (isVoipToken != (pushType == "voip")) return Reject(400, "DeviceTokenNotForTopic", apnsId, violation: true);
        if (unregistered.TryGetValue(token, out var since))
        {
            context.Response.Headers["apns-id"] = apnsId;
            return Results.Json(new JsonObject { ["reason"] = "Unregistered", ["timestamp"] = since }, statusCode: 410);
        }

        if (!await Hold.PassAsync(token, context.RequestAborted)) return Results.Empty; // the sender is gone: never accepted
        Delivered.Enqueue(new ApnsReceived(token, pushType, topic, priority, expiration, collapseId.Length > 0 ? collapseId : null, apnsId, payload));
        context.Response.Headers["apns-id"] = apnsId;
        return Results.Ok();
    }

    private IResult Reject(int status, string reason, string apnsId, bool violation)
    {
        if (violation) Violations.Enqueue($"apns: {status} {reason}");
        return new ApnsError(status, reason.Split(' ')[0], apnsId);
    }

    private sealed class ApnsError(int status, string reason, string apnsId) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers["apns-id"] = apnsId;
            context.Response.StatusCode = status;
            return context.Response.WriteAsJsonAsync(new JsonObject { ["reason"] = reason });
        }
    }

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidPattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex HexToken();

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        Key.Dispose();
    }
}
