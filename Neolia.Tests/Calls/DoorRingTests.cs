using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Calls;

/// <summary>The walking skeleton end to end: Asterisk's webhook → CallApi → Redis → Notifier → gateway → the resident's sockets.</summary>
[Collection(StackCollection.Name)]
public sealed class DoorRingTests(StackFixture stack)
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    private static Dictionary<string, string> Ring(TestTenant tenant, string apartment, string? callId = null) => new()
    {
        ["call_id"] = callId ?? CallDriver.NewAsteriskCallId(),
        ["tenant"] = tenant.Slug,
        ["caller"] = tenant.DoorSipUsername,
        ["callee"] = apartment,
    };

    [Fact]
    public async Task A_ring_reaches_every_socket_of_the_apartments_residents_and_nobody_else()
    {
        var tenant = await stack.Data.CreateTenantAsync("1", "2");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "1");
        var neighbour = await stack.Data.AddResidentAsync(tenant, "2");
        var otherTenant = await stack.Data.CreateTenantAsync("1");
        var stranger = await stack.Data.AddResidentAsync(otherTenant, "1");

        var token = (await stack.LoginAsync(resident.Email, resident.Password)).AccessToken;
        await using var phone = await stack.ConnectAsync(token);
        await using var tablet = await stack.ConnectAsync(token, viaHeader: true);
        await using var flatmateSocket = await stack.ConnectAsync((await stack.LoginAsync(flatmate.Email, flatmate.Password)).AccessToken);
        await using var neighbourSocket = await stack.ConnectAsync((await stack.LoginAsync(neighbour.Email, neighbour.Password)).AccessToken);
        await using var strangerSocket = await stack.ConnectAsync((await stack.LoginAsync(stranger.Email, stranger.Password)).AccessToken);
        await phone.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");

        using var response = await stack.RingAsync(Ring(tenant, "1"));
        await response.EnsureSuccessWithBodyAsync();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dial", answer.GetProperty("action").GetString());
        var callId = answer.GetProperty("call_id").GetString()!;
        var room = answer.GetProperty("room").GetString()!;

        foreach (var socket in new[] { phone, tablet })
        {
            var ring = (await socket.WaitForRingAsync(callId)).GetProperty("call");
            Assert.Equal(room, ring.GetProperty("room").GetString());
            Assert.Equal("1", ring.GetProperty("apartment").GetString());
            Assert.Equal(tenant.DoorSipUsername, ring.GetProperty("caller").GetString());
            Assert.StartsWith("ws://", ring.GetProperty("livekitUrl").GetString());
            Assert.True(ring.GetProperty("expiresAt").GetDateTimeOffset() > ring.GetProperty("createdAt").GetDateTimeOffset());

            var claims = await LiveKitTokenAssert.ValidAsync(ring.GetProperty("calleeToken").GetString()!, stack.Secrets.LiveKitApiKey, stack.Secrets.LiveKitApiSecret);
            Assert.Equal($"user:{resident.Id}", claims.GetProperty("sub").GetString());
            var video = claims.GetProperty("video");
            Assert.Equal(room, video.GetProperty("room").GetString());
            Assert.True(video.GetProperty("roomJoin").GetBoolean());
            Assert.True(video.GetProperty("canSubscribe").GetBoolean());
        }
        var flatmateRing = (await flatmateSocket.WaitForRingAsync(callId)).GetProperty("call");
        var flatmateClaims = await LiveKitTokenAssert.ValidAsync(flatmateRing.GetProperty("calleeToken").GetString()!, stack.Secrets.LiveKitApiKey, stack.Secrets.LiveKitApiSecret);
        Assert.Equal($"user:{flatmate.Id}", flatmateClaims.GetProperty("sub").GetString());

        await Task.Delay(Quiet);
        Assert.Empty(neighbourSocket.MessagesOfType("incoming_call"));
        Assert.Empty(strangerSocket.MessagesOfType("incoming_call"));
        Assert.Single(phone.RingsFor(callId));
        Assert.Single(tablet.RingsFor(callId));
    }

    [Fact]
    public async Task The_same_webhook_twice_rings_once_and_answers_the_same_call()
    {
        var tenant = await stack.Data.CreateTenantAsync("7");
        var resident = await stack.Data.AddResidentAsync(tenant, "7", sipUsername: $"{tenant.Slug}-app");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);
        var ring = Ring(tenant, "7");

        using var first = await stack.RingAsync(ring);
        using var second = await stack.RingAsync(ring);
        var firstAnswer = await first.Content.ReadFromJsonAsync<JsonElement>();
        var secondAnswer = await second.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(firstAnswer.GetRawText(), secondAnswer.GetRawText());
        Assert.Equal($"PJSIP/{tenant.Slug}-app", firstAnswer.GetProperty("dial").GetString());
        var callId = firstAnswer.GetProperty("call_id").GetString()!;
        await socket.WaitForRingAsync(callId);
        await Task.Delay(Quiet);
        Assert.Single(socket.RingsFor(callId));
    }

    [Fact]
    public async Task Concurrent_duplicate_webhooks_create_one_call_and_ring_once()
    {
        var tenant = await stack.Data.CreateTenantAsync("8");
        var resident = await stack.Data.AddResidentAsync(tenant, "8");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);
        var ring = Ring(tenant, "8");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => stack.RingAsync(ring)));
        var callIds = new HashSet<string>();
        foreach (var response in responses)
        {
            await response.EnsureSuccessWithBodyAsync();
            callIds.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("call_id").GetString()!);
            response.Dispose();
        }

        var callId = Assert.Single(callIds);
        await socket.WaitForRingAsync(callId);
        await Task.Delay(Quiet);
        Assert.Single(socket.RingsFor(callId));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-secret-at-all")]
    public async Task A_webhook_without_the_right_secret_is_refused_and_rings_nobody(string? secret)
    {
        var tenant = await stack.Data.CreateTenantAsync("3");
        var resident = await stack.Data.AddResidentAsync(tenant, "3");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/call") { Content = new FormUrlEncodedContent(Ring(tenant, "3")) };
        if (secret is not null) request.Headers.Add("X-Neolia-Webhook-Secret", secret);
        using var response = await stack.CallApi.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await Task.Delay(Quiet);
        Assert.Empty(socket.MessagesOfType("incoming_call"));
    }

    [Fact]
    public async Task The_seeds_minimal_json_webhook_still_rings()
    {
        var tenant = await stack.Data.CreateTenantAsync("4");
        var resident = await stack.Data.AddResidentAsync(tenant, "4");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/call")
        {
            Content = JsonContent.Create(new { caller = tenant.DoorSipUsername, callee = "4" }),
        };
        request.Headers.Add("X-Neolia-Webhook-Secret", stack.Secrets.WebhookSecret);
        using var response = await stack.CallApi.SendAsync(request);
        await response.EnsureSuccessWithBodyAsync();
        var callId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("call_id").GetString()!;

        await socket.WaitForRingAsync(callId);
    }

    [Theory]
    [InlineData("unknown-door", null, "4", "unknown_device")]
    [InlineData(null, "no-such-tenant", "4", "unknown_tenant")]
    [InlineData(null, null, "999", "unknown_apartment")]
    public async Task Unknown_door_tenant_or_apartment_is_rejected_and_rings_nobody(string? caller, string? tenantSlug, string callee, string reason)
    {
        var tenant = await stack.Data.CreateTenantAsync("4");
        var resident = await stack.Data.AddResidentAsync(tenant, "4");
        await using var socket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);
        var ring = Ring(tenant, callee);
        if (caller is not null) ring["caller"] = caller;
        if (tenantSlug is not null) ring["tenant"] = tenantSlug;

        using var response = await stack.RingAsync(ring);

        await response.EnsureSuccessWithBodyAsync();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("reject", answer.GetProperty("action").GetString());
        Assert.Equal(reason, answer.GetProperty("reason").GetString());
        await Task.Delay(Quiet);
        Assert.Empty(socket.MessagesOfType("incoming_call"));
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "callee=101", "caller")]
    [InlineData("application/x-www-form-urlencoded", "caller=door", "callee")]
    [InlineData("application/json", "{\"caller\":\"door\",\"callee\":\"12345678901234567890123456789012345\"}", "callee")]
    public async Task Invalid_webhook_fields_answer_a_validation_problem(string contentType, string body, string field)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/call") { Content = new StringContent(body, null, contentType) };
        request.Headers.Add("X-Neolia-Webhook-Secret", stack.Secrets.WebhookSecret);
        using var response = await stack.CallApi.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Theory]
    [InlineData("application/json", "{not json", HttpStatusCode.BadRequest)]
    [InlineData("application/json", "[1,2]", HttpStatusCode.BadRequest)]
    [InlineData("text/plain", "caller=x", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_malformed_webhook_body_answers_a_problem_not_a_crash(string contentType, string body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/call") { Content = new StringContent(body, null, contentType) };
        request.Headers.Add("X-Neolia-Webhook-Secret", stack.Secrets.WebhookSecret);
        using var response = await stack.CallApi.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_socket_that_connects_while_a_call_rings_gets_it_at_once()
    {
        var tenant = await stack.Data.CreateTenantAsync("5");
        var resident = await stack.Data.AddResidentAsync(tenant, "5");
        using var response = await stack.RingAsync(Ring(tenant, "5"));
        var callId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("call_id").GetString()!;

        await using var lateSocket = await stack.ConnectAsync((await stack.LoginAsync(resident.Email, resident.Password)).AccessToken);

        await lateSocket.WaitForRingAsync(callId, TimeSpan.FromSeconds(3));
        await Task.Delay(Quiet);
        Assert.Single(lateSocket.RingsFor(callId));
    }
}
