using Microsoft.Extensions.Configuration;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neolia.CallApi.LiveKit;

namespace Neolia.Tests.LiveKit;

/// <summary>Webhooks signed the way the LiveKit server signs them (official <c>AccessToken</c> with the body's <c>sha256</c>).</summary>
public sealed class WebhookContractTests
{
    private readonly (string Key, string Secret) _credentials = Oracle.NewCredentials();

    // What the LiveKit server posts (protobuf JSON: lowerCamelCase, int64 as strings), with a non-ASCII name.
    private const string ParticipantJoined = """
        {"event":"participant_joined","room":{"sid":"RM_hycBMAjmt6Ub","name":"call-0c4e","emptyTimeout":300,"maxParticipants":100,"creationTime":"1700000000","numParticipants":1},"participant":{"sid":"PA_39FbLhXFPV7M","identity":"user:7d1d8a57-7a5b-4c4a-9a47-2f0e0d9a4a10","state":"ACTIVE","joinedAt":"1700000003","name":"Zoë Martin","version":2,"permission":{"canSubscribe":true,"canPublish":true,"canPublishData":true}},"id":"EV_3CqxEKtS4mHt","createdAt":"1700000003"}
        """;

    private async Task<string> SignAsync(string body, string? secret = null, string ttl = "5m") =>
        (string)(await Oracle.RunAsync("sign-webhook.mjs", new { apiKey = _credentials.Key, apiSecret = secret ?? _credentials.Secret, body, ttl }))["authorization"]!;

    private Task<JsonNode> OfficialReceiveAsync(string body, string authorization) =>
        Oracle.RunAsync("receive-webhook.mjs", new { apiKey = _credentials.Key, apiSecret = _credentials.Secret, body, authorization });

    private WebhookReceiveResult Receive(string body, string? authorization) =>
        new WebhookReceiver(_credentials.Key, _credentials.Secret).Receive(Encoding.UTF8.GetBytes(body), authorization);

    [Fact]
    public async Task A_webhook_signed_like_the_server_is_accepted_and_read_as_the_official_receiver_reads_it()
    {
        var authorization = await SignAsync(ParticipantJoined);

        var result = Receive(ParticipantJoined, authorization);
        var official = await OfficialReceiveAsync(ParticipantJoined, authorization);

        Assert.True(result.Succeeded, result.Error);
        Assert.True((bool)official["ok"]!, official.ToJsonString());
        var theirs = official["event"]!;
        var ours = result.Event!;
        Assert.Equal((string?)theirs["event"], ours.Event);
        Assert.Equal((string?)theirs["id"], ours.Id);
        Assert.Equal(long.Parse((string)theirs["createdAt"]!), ours.CreatedAt);
        Assert.Equal(new WebhookRoom((string)theirs["room"]!["name"]!, (string)theirs["room"]!["sid"]!), ours.Room);
        Assert.Equal(new WebhookParticipant((string)theirs["participant"]!["identity"]!, (string)theirs["participant"]!["sid"]!,
            (string?)theirs["participant"]!["name"]), ours.Participant);
        Assert.Equal("Zoë Martin", ours.Participant!.Name);
    }

    [Fact]
    public async Task A_tampered_body_is_rejected_as_the_official_receiver_rejects_it()
    {
        var authorization = await SignAsync(ParticipantJoined);
        var tampered = ParticipantJoined.Replace("user:7d1d8a57", "user:00000000");

        var result = Receive(tampered, authorization);
        var official = await OfficialReceiveAsync(tampered, authorization);

        Assert.False((bool)official["ok"]!);
        Assert.Equal(WebhookFailure.Unauthorized, result.Failure);
        Assert.Equal("the sha256 claim does not match the body", result.Error);
    }

    [Fact]
    public async Task A_webhook_signed_with_another_secret_is_rejected()
    {
        var authorization = await SignAsync(ParticipantJoined, secret: Oracle.NewCredentials().Secret);

        var result = Receive(ParticipantJoined, authorization);

        Assert.False((bool)(await OfficialReceiveAsync(ParticipantJoined, authorization))["ok"]!);
        Assert.Equal(WebhookFailure.Unauthorized, result.Failure);
        Assert.Equal("the signature does not match", result.Error);
    }

    [Fact]
    public async Task An_expired_webhook_token_is_rejected()
    {
        var authorization = await SignAsync(ParticipantJoined, ttl: "-1m");

        var result = Receive(ParticipantJoined, authorization);

        Assert.False((bool)(await OfficialReceiveAsync(ParticipantJoined, authorization))["ok"]!);
        Assert.Equal(WebhookFailure.Unauthorized, result.Failure);
        Assert.Equal("the token has expired", result.Error);
    }

    [Fact]
    public async Task A_token_without_a_sha256_claim_or_no_token_is_rejected()
    {
        var plainToken = (string)(await Oracle.RunAsync("mint-token.mjs", new { apiKey = _credentials.Key, apiSecret = _credentials.Secret, ttl = "5m" }))["jwt"]!;

        Assert.Equal(WebhookFailure.Unauthorized, Receive(ParticipantJoined, plainToken).Failure);
        Assert.Equal(WebhookFailure.Unauthorized, Receive(ParticipantJoined, null).Failure);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""["participant_joined"]""")]
    [InlineData("""{"room":{"name":"call-1"}}""")]
    [InlineData("""{"event":"room_finished","createdAt":"soon"}""")]
    public async Task A_correctly_signed_body_that_is_not_an_event_is_malformed(string body)
    {
        var result = Receive(body, await SignAsync(body));

        Assert.Equal(WebhookFailure.Malformed, result.Failure);
    }

    [Fact]
    public void Proto_field_names_and_numbers_are_read_too()
    {
        var e = WebhookEvent.Parse("""{"event":"room_finished","room":{"name":"call-1","sid":"RM_1"},"created_at":1700000009}"""u8, out var error);

        Assert.True(e is not null, error);
        Assert.Equal(1700000009, e.CreatedAt);
        Assert.Null(e.Participant);
    }

    // POST /webhook/livekit through a real Kestrel with the CallApi's endpoint and services (no database needed yet).
    [Fact]
    public async Task The_endpoint_answers_200_for_a_signed_event_401_for_a_bad_signature_and_400_for_a_malformed_body()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear(); builder.Configuration.AddInMemoryCollection(); // not the services' appsettings.json of the test output (the Notifier's Kestrel:Endpoints)
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(new WebhookReceiver(_credentials.Key, _credentials.Secret));
        builder.Services.AddScoped<LiveKitEventHandler>();
        await using var app = builder.Build();
        app.MapLiveKitWebhooks();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        async Task<HttpResponseMessage> PostAsync(string body, string? authorization)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhook/livekit") { Content = new StringContent(body, Encoding.UTF8) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/webhook+json");
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return await http.SendAsync(request);
        }

        var signed = await SignAsync(ParticipantJoined);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(ParticipantJoined, signed)).StatusCode);

        var tampered = await PostAsync(ParticipantJoined.Replace("Zoë", "Zoe"), signed);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal("application/problem+json", tampered.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(ParticipantJoined, null)).StatusCode);

        const string malformed = """{"no":"event"}""";
        var bad = await PostAsync(malformed, await SignAsync(malformed));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }
}
