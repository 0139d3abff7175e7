using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Neolia.Contracts;

namespace Neolia.Notifier.Push;

/// <summary>
/// FCM HTTP v1: <c>POST {BaseUrl}/v1/projects/{project}/messages:send</c> with a data-only, high-priority Android
/// message (the app shows its own call UI; a notification message would be shown by the system instead).
/// </summary>
public sealed class FcmSender(FcmServiceAccount account, Uri baseUrl, FcmAccessTokens tokens, HttpClient http, TimeProvider time) : IPushSender
{
    private readonly Uri sendUri = new(baseUrl, $"v1/projects/{Uri.EscapeDataString(account.ProjectId)}/messages:send");

    public async Task<PushResult> SendAsync(PushTarget target, CallPush push, CancellationToken ct)
    {
        if (target.Platform != PushPlatforms.Fcm) return PushResult.Skip($"FCM does not send to {target.Platform} tokens");
        var ttl = push.ExpiresAt - time.GetUtcNow();
        if (ttl <= TimeSpan.Zero) return PushResult.Skip("the call stopped ringing before the push could be sent");

        string accessToken;
        try
        {
            accessToken = await tokens.GetAsync(ct);
        }
        catch (FcmTokenException e)
        {
            return e.Retryable ? PushResult.Retry("FCM access token: " + e.Message) : PushResult.Fail("FCM access token: " + e.Message);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return PushResult.Retry("FCM token endpoint unreachable: " + e.Message);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, sendUri)
        {
            Content = new StringContent(Body(target.Token, push, ttl).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);

        var (result, status) = await PushHttp.SendAsync(http, request, "FCM", Classify, time, ct);
        if (status == HttpStatusCode.Unauthorized) tokens.Invalidate(accessToken);
        return result;
    }

    internal static JsonObject Body(string token, CallPush push, TimeSpan ttl)
    {
        var data = new JsonObject();
        foreach (var (key, value) in push.Data()) data[key] = value;
        return new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["token"] = token,
                ["data"] = data,
                ["android"] = new JsonObject
                {
                    ["priority"] = "high",
                    // Duration in seconds, e.g. "30s": after it FCM drops the message instead of ringing late.
                    ["ttl"] = $"{(long)Math.Ceiling(ttl.TotalSeconds)}s",
                    // An undelivered ring is replaced by its cancel instead of both arriving.
                    ["collapse_key"] = $"call-{push.CallId:N}",
                },
            },
        };
    }

    /// <summary>
    /// FCM v1 errors are Google API errors (<c>{"error":{"code","message","status","details":[…FcmError errorCode…]}}</c>).
    /// </summary>
    internal static PushResult Classify(HttpStatusCode status, string body, TimeSpan? retryAfter)
    {
        string? errorStatus = null, errorCode = null, message = null;
        var tokenViolation = false;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                errorStatus = error.TryGetProperty("status", out var s) ? s.GetString() : null;
                message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
                if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
                {
                    foreach (var detail in details.EnumerateArray())
                    {
                        if (detail.TryGetProperty("errorCode", out var c)) errorCode = c.GetString();
                        if (detail.TryGetProperty("fieldViolations", out var violations) && violations.ValueKind == JsonValueKind.Array)
                        {
                            tokenViolation |= violations.EnumerateArray().Any(v =>
                                v.TryGetProperty("field", out var f) && f.GetString() == "message.token");
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        var code = errorCode ?? errorStatus;
        var detailText = $"FCM {(int)status} {code}: {message ?? FcmAccessTokens.Truncate(body)}";
        if (status == HttpStatusCode.NotFound || code == "UNREGISTERED") return PushResult.Dead(detailText);
        // The token belongs to another Firebase project: it will never work for this one.
        if (code == "SENDER_ID_MISMATCH") return PushResult.Dead(detailText);
        if (status == HttpStatusCode.BadRequest && code == "INVALID_ARGUMENT" &&
            (tokenViolation || (message?.Contains("registration token", StringComparison.OrdinalIgnoreCase) ?? false)))
        {
            return PushResult.Dead(detailText);
        }
        return (int)status switch
        {
            401 => PushResult.Retry(detailText),            // access token expired or revoked: fetched anew
            408 or 429 or >= 500 => PushResult.Retry(detailText, retryAfter),
            _ => PushResult.Fail(detailText),
        };
    }
}
