using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Neolia.CallApi.LiveKit;
using Neolia.Tests.LiveKit;

namespace Neolia.Tests.Media;

/// <summary>What our <c>IngressClient</c> puts on the wire, next to what the official npm <c>IngressClient</c> sends for the same call.</summary>
public sealed class IngressContractTests : IAsyncLifetime
{
    private readonly (string Key, string Secret) _credentials = Oracle.NewCredentials();
    private CapturingServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await CapturingServer.StartAsync();
        _server.Respond = path => (200, path.EndsWith("/ListIngress")
            ? """{"items":[{"ingressId":"IN_1","streamKey":"k","url":"rtmp://ingress/x","roomName":"call-1"}]}"""
            : """{"ingressId":"IN_1","name":"call-1","streamKey":"key1","url":"rtmp://ingress.test/x","roomName":"call-1","participantIdentity":"door:1"}""", TimeSpan.Zero);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IngressClient Client() => new(new HttpClient(),
        Options.Create(new LiveKitOptions { Url = "wss://x.test", ApiUrl = _server.Url, ApiKey = _credentials.Key, ApiSecret = _credentials.Secret }),
        TimeProvider.System, new ListLogger<IngressClient>());

    private async Task AssertSameAsync(Func<IngressClient, Task<RoomServiceResult>> ours, string method, object args, string expectedPath)
    {
        Assert.True((await ours(Client())).Succeeded);
        Assert.True(_server.Requests.TryDequeue(out var our));
        var official = await Oracle.RunAsync("ingress.mjs", new { host = _server.Url, apiKey = _credentials.Key, apiSecret = _credentials.Secret, method, args });
        Assert.True((bool)official["ok"]!, official.ToJsonString());
        Assert.True(_server.Requests.TryDequeue(out var their));

        Assert.Equal(expectedPath, our!.Path);
        Assert.Equal(their!.Path, our.Path);
        var (ourType, theirType) = (MediaTypeHeaderValue.Parse(our.ContentType!), MediaTypeHeaderValue.Parse(their.ContentType!));
        Assert.Equal((theirType.MediaType, theirType.CharSet?.ToUpperInvariant()), (ourType.MediaType, ourType.CharSet?.ToUpperInvariant()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(their.Body), JsonNode.Parse(our.Body)), $"ours {our.Body}, official {their.Body}");
        var (ourClaims, theirClaims) = (Oracle.Payload(our.Authorization!["Bearer ".Length..]), Oracle.Payload(their.Authorization!["Bearer ".Length..]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"ingressAdmin":true}"""), theirClaims["video"]));
        Assert.True(JsonNode.DeepEquals(theirClaims["video"], ourClaims["video"]), ourClaims["video"]?.ToJsonString());
        var verdict = await Oracle.RunAsync("verify-token.mjs", new { apiKey = _credentials.Key, apiSecret = _credentials.Secret, token = our.Authorization!["Bearer ".Length..] });
        Assert.True((bool)verdict["ok"]!, verdict.ToJsonString());
    }

    [Fact]
    public Task CreateIngress_for_rtmp_sends_what_the_official_client_sends() => AssertSameAsync(
        async c => await c.CreateIngressAsync(IngressInput.RtmpInput, new CreateIngressOptions
            { Name = "call-1", RoomName = "call-1", ParticipantIdentity = "door:1", ParticipantName = "Door" }),
        "createIngress", new { inputType = "RTMP_INPUT", name = "call-1", roomName = "call-1", participantIdentity = "door:1", participantName = "Door" },
        "/twirp/livekit.Ingress/CreateIngress");

    [Fact]
    public Task CreateIngress_for_whip_without_transcoding_sends_what_the_official_client_sends() => AssertSameAsync(
        async c => await c.CreateIngressAsync(IngressInput.WhipInput, new CreateIngressOptions
            { Name = "call-1", RoomName = "call-1", ParticipantIdentity = "door:1", ParticipantName = "Door", EnableTranscoding = false }),
        "createIngress", new { inputType = "WHIP_INPUT", name = "call-1", roomName = "call-1", participantIdentity = "door:1", participantName = "Door", enableTranscoding = false },
        "/twirp/livekit.Ingress/CreateIngress");

    [Theory]
    [InlineData(null)]
    [InlineData("call-1")]
    public Task ListIngress_sends_what_the_official_client_sends(string? room) => AssertSameAsync(
        async c => await c.ListIngressAsync(room), "listIngress", room is null ? null! : new { roomName = room }, "/twirp/livekit.Ingress/ListIngress");

    [Fact]
    public Task DeleteIngress_sends_what_the_official_client_sends() => AssertSameAsync(
        async c => await c.DeleteIngressAsync("IN_1"), "deleteIngress", new { ingressId = "IN_1" }, "/twirp/livekit.Ingress/DeleteIngress");

    [Fact]
    public async Task The_answer_gives_the_publish_url()
    {
        var created = await Client().CreateIngressAsync(IngressInput.RtmpInput, new CreateIngressOptions { RoomName = "call-1", ParticipantIdentity = "door:1" });
        Assert.Equal(("IN_1", "rtmp://ingress.test/x/key1"), (created.Value!.IngressId, created.Value.PublishUrl));
        var listed = await Client().ListIngressAsync("call-1");
        Assert.Equal("IN_1", Assert.Single(listed.Value!).IngressId);
    }
}
