using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Calls;
using Neolia.CallApi.LiveKit;
using Neolia.Tests.CallControl;

namespace Neolia.Tests.Infrastructure;

/// <summary>A door call as CallApi recorded it: its id, the door's Asterisk channel (whose UNIQUEID is the call's Asterisk id), its room.</summary>
public sealed record RungCall(string Id, string AsteriskCallId, string Room)
{
    /// <summary>The door's channel in <see cref="FakeAsterisk"/>.</summary>
    public string DoorChannel => AsteriskCallId;
}

/// <summary>
/// Drives calls the way their real clients do: Asterisk over ARI (<see cref="FakeAsterisk"/>: the door rings, hangs up,
/// a SIP phone answers or declines), the LiveKit server's webhooks, the resident app.
/// </summary>
public static class CallDriver
{
    /// <summary>
    /// A door dials an apartment as the dialplan hands it over: StasisBroadcast(…,door:tenant:door:apartment), claimed by a CallApi replica.
    /// Returns the door's channel id once a replica claimed it, or none claiming, after the broadcast's 1 s (what CallApi makes of it: <see cref="CallOfAsync"/>, <see cref="DoorHungUpAsync"/>).
    /// </summary>
    public static Task<string> RingDoorAsync(this StackFixture stack, TestTenant tenant, string apartment, string? door = null, string? tenantSlug = null) =>
        stack.Asterisk.RingDoorAsync(tenantSlug ?? tenant.Slug, door ?? tenant.DoorSipUsername, apartment);

    /// <summary>The tenant's door (made through the admin API) dials its apartment.</summary>
    public static Task<string> RingDoorAsync(this StackFixture stack, Administration.AdminTenant tenant) =>
        stack.Asterisk.RingDoorAsync(tenant.Slug, tenant.DoorSipUsername, tenant.ApartmentNumber);

    /// <summary>A door rings an apartment; returns the call once CallApi recorded it (and so published its ring).</summary>
    public static async Task<RungCall> RingCallAsync(this StackFixture stack, TestTenant tenant, string apartment, TimeSpan? timeout = null) =>
        await stack.RecordedCallAsync(await stack.RingDoorAsync(tenant, apartment), timeout);

    /// <summary>The tenant's door rings its apartment; returns the call once CallApi recorded it.</summary>
    public static async Task<RungCall> RingCallAsync(this StackFixture stack, Administration.AdminTenant tenant, TimeSpan? timeout = null) =>
        await stack.RecordedCallAsync(await stack.RingDoorAsync(tenant), timeout);

    /// <summary>The call CallApi recorded for a door channel that rang, as a <see cref="RungCall"/>.</summary>
    public static async Task<RungCall> RecordedCallAsync(this StackFixture stack, string doorChannel, TimeSpan? timeout = null)
    {
        var call = await stack.CallOfAsync(doorChannel, timeout: timeout);
        return new RungCall(call.Id.ToString(), doorChannel, call.Room);
    }

    /// <summary>The call CallApi recorded for a door channel (its UNIQUEID is the call's Asterisk id), once <paramref name="until"/> holds.</summary>
    public static async Task<Call> CallOfAsync(this StackFixture stack, string doorChannel, Func<Call, bool>? until = null, TimeSpan? timeout = null)
    {
        Call? call = null;
        await Eventually.TrueAsync(async () =>
        {
            await using var scope = stack.DataScope(out var db);
            call = await db.Calls.AsNoTracking().SingleOrDefaultAsync(c => c.AsteriskCallId == doorChannel);
            return call is not null && (until?.Invoke(call) ?? true);
        }, timeout, $"call of door channel {doorChannel}");
        return call!;
    }

    /// <summary>The visitor hangs up: the door's channel is destroyed (cause 16, normal clearing) and Asterisk says so.</summary>
    public static Task VisitorHangsUpAsync(this StackFixture stack, RungCall call, int cause = 16) =>
        stack.Asterisk.HangUpFromOutsideAsync(call.DoorChannel, cause);

    /// <summary>
    /// Waits until CallApi hung the door's channel up (DELETE /channels/{id}) and returns the reason it gave, which decides
    /// what the door hears: normal, busy (486), no_answer (480), unallocated (404), rejected (403), congestion (503).
    /// </summary>
    public static async Task<string> DoorHungUpAsync(this StackFixture stack, string doorChannel, TimeSpan? timeout = null)
    {
        string? reason = null;
        await Eventually.TrueAsync(() => stack.Asterisk.AllChannels.TryGetValue(doorChannel, out var c) && (reason = c.HangupReason) is not null,
            timeout, $"CallApi hanging up door channel {doorChannel}");
        return reason!;
    }

    /// <summary>True while the door's channel is still up (nobody hung it up).</summary>
    public static bool DoorIsUp(this StackFixture stack, string doorChannel) => stack.Asterisk.Channels.ContainsKey(doorChannel);

    /// <summary>The SIP legs CallApi dialled for a call, once there are <paramref name="count"/> (their channel ids, in order).</summary>
    public static async Task<IReadOnlyList<string>> SipLegsAsync(this StackFixture stack, RungCall call, int count = 1)
    {
        await Eventually.TrueAsync(() => stack.Asterisk.Originates(call.DoorChannel).Count >= count, what: $"{count} SIP leg(s) of call {call.Id} dialled");
        return stack.Asterisk.Originates(call.DoorChannel).Select(r => r.Path["/ari/channels/".Length..]).ToList();
    }

    /// <summary>A dialled SIP phone answers (200 OK): its leg enters the application.</summary>
    public static Task AnswerOnSipAsync(this StackFixture stack, string leg) => stack.Asterisk.AnswerLegAsync(leg);

    /// <summary>A dialled SIP phone declines with 486 Busy Here: its leg is destroyed with cause 17.</summary>
    public static Task DeclineOnSipAsync(this StackFixture stack, string leg) => stack.Asterisk.HangUpFromOutsideAsync(leg, 17);

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
    public static Task<HttpResponseMessage> AsResidentAsync(this StackFixture stack, string accessToken, HttpMethod method, string path, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return stack.Gateway.SendAsync(request, ct);
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
