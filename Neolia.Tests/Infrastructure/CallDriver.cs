using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Neolia.CallApi.LiveKit;

namespace Neolia.Tests.Infrastructure;

/// <summary>A call as the door webhook answered it.</summary>
public sealed record RungCall(string Id, string AsteriskCallId, string Room);

/// <summary>Drives calls the way their real clients do: Asterisk's webhooks, the LiveKit server's webhooks, the resident app.</summary>
public static class CallDriver
{
    private static long _channelSequence = Random.Shared.Next(1_000_000);

    /// <summary>
    /// A channel uniqueid as Asterisk makes them: the epoch second and a counter of the process. (A random suffix collided:
    /// 520 calls rung within 3 s repeated an id now and then, and CallApi rightly took the second webhook as a repeat.)
    /// </summary>
    public static string NewAsteriskCallId() => $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Interlocked.Increment(ref _channelSequence)}";

    public static async Task<RungCall> RingCallAsync(this StackFixture stack, TestTenant tenant, string apartment)
    {
        var asteriskCallId = NewAsteriskCallId();
        using var response = await stack.RingAsync(new Dictionary<string, string>
        {
            ["call_id"] = asteriskCallId, ["tenant"] = tenant.Slug, ["caller"] = tenant.DoorSipUsername, ["callee"] = apartment,
        });
        await response.EnsureSuccessWithBodyAsync();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dial", answer.GetProperty("action").GetString());
        return new RungCall(answer.GetProperty("call_id").GetString()!, asteriskCallId, answer.GetProperty("room").GetString()!);
    }

    /// <summary>The hangup handler's request, form-encoded as the dialplan's CURL() sends it.</summary>
    public static Task<HttpResponseMessage> HangUpAsync(this StackFixture stack, string callId, string dialStatus,
        string answeredSec = "", string dialedSec = "12", string cause = "16")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/call/end")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["call_id"] = callId, ["dialstatus"] = dialStatus, ["answered_sec"] = answeredSec, ["dialed_sec"] = dialedSec, ["cause"] = cause,
            }),
        };
        request.Headers.Add("X-Neolia-Webhook-Secret", stack.Secrets.WebhookSecret);
        return stack.CallApi.SendAsync(request);
    }

    /// <summary>A webhook signed as the LiveKit server signs it: a token of the API key whose sha256 claim is the body's hash.</summary>
    public static Task<HttpResponseMessage> LiveKitWebhookAsync(this StackFixture stack, string eventName, string room, string? identity = null)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["event"] = eventName,
            ["room"] = new { sid = "RM_test", name = room },
            ["participant"] = identity is null ? null : new { sid = "PA_test", identity, state = "ACTIVE" },
            ["id"] = $"EV_{Guid.NewGuid():N}",
            ["createdAt"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(),
        });
        var bytes = Encoding.UTF8.GetBytes(body);
        var token = new AccessToken(stack.Secrets.LiveKitApiKey, stack.Secrets.LiveKitApiSecret)
        {
            Ttl = TimeSpan.FromMinutes(5),
            Sha256 = Convert.ToBase64String(SHA256.HashData(bytes)),
        }.ToJwt();
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/livekit") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/webhook+json");
        request.Headers.TryAddWithoutValidation("Authorization", token);
        return stack.CallApi.SendAsync(request);
    }

    public static async Task<string> SignInAsync(this StackFixture stack, TestResident resident) =>
        (await stack.LoginAsync(resident.Email, resident.Password)).AccessToken;

    /// <summary>A resident app's request through the gateway.</summary>
    public static Task<HttpResponseMessage> AsResidentAsync(this StackFixture stack, string accessToken, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return stack.Gateway.SendAsync(request);
    }

    public static Task<HttpResponseMessage> ActAsync(this StackFixture stack, string accessToken, string callId, string action) =>
        stack.AsResidentAsync(accessToken, HttpMethod.Post, $"/api/calls/{callId}/{action}");

    public static async Task<JsonElement> GetCallAsync(this StackFixture stack, string accessToken, string callId)
    {
        using var response = await stack.AsResidentAsync(accessToken, HttpMethod.Get, $"/api/calls/{callId}");
        await response.EnsureSuccessWithBodyAsync();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<string> StatusOfAsync(this StackFixture stack, string accessToken, string callId) =>
        (await stack.GetCallAsync(accessToken, callId)).GetProperty("status").GetString()!;

    public static Task<JsonElement> WaitForUpdateAsync(this ResidentSocket socket, string callId, string status, TimeSpan? timeout = null) =>
        socket.WaitForAsync(m => m.GetProperty("type").GetString() == "call_updated"
                && m.GetProperty("call").GetProperty("id").GetString() == callId
                && m.GetProperty("call").GetProperty("status").GetString() == status,
            timeout, $"call_updated {status} for {callId}");

    public static IReadOnlyList<JsonElement> UpdatesFor(this ResidentSocket socket, string callId) =>
        socket.MessagesOfType("call_updated").Where(m => m.GetProperty("call").GetProperty("id").GetString() == callId).ToList();

    public static async Task AssertProblemAsync(HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
