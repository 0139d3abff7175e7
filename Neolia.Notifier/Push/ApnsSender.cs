using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Neolia.Contracts;

namespace Neolia.Notifier.Push;

/// <summary>
/// APNs provider API over HTTP/2 with token authentication. Rings go to PushKit VoIP tokens on the
/// <c>{bundle}.voip</c> topic; cancels go to ordinary device tokens on the bundle topic as alert or background
/// pushes — never VoIP, because iOS requires every VoIP push to report a new CallKit call and stops delivering
/// VoIP pushes to apps that do not.
/// </summary>
public sealed class ApnsSender(ApnsCredentials credentials, HttpClient http, TimeProvider time) : IPushSender
{
    private readonly Lock gate = new();
    private (string Jwt, DateTimeOffset IssuedAt)? providerToken;

    public async Task<PushResult> SendAsync(PushTarget target, CallPush push, CancellationToken ct)
    {
        var shape = Shape(target, push);
        if (shape is null) return PushResult.Skip($"no {push.Kind} push for {target.Platform} tokens");
        var now = time.GetUtcNow();
        if (push.ExpiresAt <= now) return PushResult.Skip("the call stopped ringing before the push could be sent");

        var jwt = ProviderToken(now);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(credentials.BaseUrl, $"3/device/{Uri.EscapeDataString(target.Token)}"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(shape.Payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", jwt);
        request.Headers.TryAddWithoutValidation("apns-push-type", shape.PushType);
        request.Headers.TryAddWithoutValidation("apns-topic", shape.Topic);
        request.Headers.TryAddWithoutValidation("apns-priority", shape.Priority);
        request.Headers.TryAddWithoutValidation("apns-expiration", push.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("apns-id", Guid.NewGuid().ToString("D"));
        if (shape.PushType == "alert") request.Headers.TryAddWithoutValidation("apns-collapse-id", $"call-{push.CallId:N}");

        var (result, _) = await PushHttp.SendAsync(http, request, "APNs", Classify, time, ct);
        if (result.Detail.Contains("ExpiredProviderToken", StringComparison.Ordinal)) InvalidateProviderToken(jwt);
        return result;
    }

    internal sealed record WireShape(string PushType, string Topic, string Priority, JsonObject Payload);

    /// <summary>The headers and payload for one push, or null when this kind of push is never sent to this kind of token.</summary>
    internal WireShape? Shape(PushTarget target, CallPush push)
    {
        var payload = new JsonObject();
        foreach (var (key, value) in push.Data()) payload[key] = value;

        switch (push.Kind, target.Platform)
        {
            case (PushKind.Ring, PushPlatforms.ApnsVoip):
                // PushKit hands the whole dictionary to the app, which reports the call to CallKit at once.
                payload["aps"] = new JsonObject();
                return new WireShape("voip", credentials.VoipTopic, "10", payload);

            case (PushKind.Cancel, PushPlatforms.Apns) when push.Status is CallStatuses.Missed or CallStatuses.Cancelled:
                // Nobody picked up: the resident should see it. The collapse id makes repeats replace each other.
                payload["aps"] = new JsonObject
                {
                    ["alert"] = new JsonObject { ["title"] = "Missed call", ["body"] = "Someone rang at the door." },
                    ["sound"] = "default",
                    ["thread-id"] = "door-calls",
                    ["content-available"] = 1,
                };
                return new WireShape("alert", credentials.BundleId, "10", payload);

            case (PushKind.Cancel, PushPlatforms.Apns):
                // Answered elsewhere / ended: only the app needs to know. Background pushes must use priority 5.
                payload["aps"] = new JsonObject { ["content-available"] = 1 };
                return new WireShape("background", credentials.BundleId, "5", payload);

            default:
                return null;
        }
    }

    /// <summary>The ES256 provider token, reused for <see cref="ApnsCredentials.ProviderTokenLifetime"/> (Apple: 20–60 minutes).</summary>
    private string ProviderToken(DateTimeOffset now)
    {
        lock (gate)
        {
            if (providerToken is { } t && now - t.IssuedAt < credentials.ProviderTokenLifetime && now >= t.IssuedAt) return t.Jwt;
            var jwt = Jws.SignEs256(new JsonObject { ["kid"] = credentials.KeyId },
                new JsonObject { ["iss"] = credentials.TeamId, ["iat"] = now.ToUnixTimeSeconds() }, credentials.PrivateKey);
            providerToken = (jwt, now);
            return jwt;
        }
    }

    private void InvalidateProviderToken(string jwt)
    {
        lock (gate)
        {
            if (providerToken is { } t && t.Jwt == jwt) providerToken = null;
        }
    }

    /// <summary>APNs errors are <c>{"reason": "..."}</c> (410 adds <c>timestamp</c>).</summary>
    internal static PushResult Classify(HttpStatusCode status, string body, TimeSpan? retryAfter)
    {
        string? reason = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("reason", out var r)) reason = r.GetString();
        }
        catch (JsonException)
        {
        }
        var detail = $"APNs {(int)status} {reason ?? FcmAccessTokens.Truncate(body)}";
        return ((int)status, reason) switch
        {
            (410, _) => PushResult.Dead(detail),                                  // Unregistered, ExpiredToken
            (400, "BadDeviceToken") => PushResult.Dead(detail),
            // Not dead: the token may be fine for another topic (a VoIP token sent an alert, or a bundle id mistake).
            (400, "DeviceTokenNotForTopic") => PushResult.Fail(detail),
            (403, "ExpiredProviderToken") => PushResult.Retry(detail),           // a fresh provider token is signed
            (429, _) or (500, _) or (503, _) => PushResult.Retry(detail, retryAfter),
            _ => PushResult.Fail(detail),
        };
    }
}
