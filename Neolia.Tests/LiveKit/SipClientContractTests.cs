using Microsoft.Extensions.Options;
using Neolia.CallApi.LiveKit;

namespace Neolia.Tests.LiveKit;

/// <summary>What our <c>SipClient</c> puts on the wire, next to what the official one (npm livekit-server-sdk) sends for the same call.</summary>
public sealed class SipClientContractTests : IAsyncLifetime
{
    private const string SipAdmin = """{"admin":true}""";
    private readonly (string Key, string Secret) _credentials = Oracle.NewCredentials();
    private CapturingServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await CapturingServer.StartAsync();
        _server.Respond = path => (200, path.EndsWith("/CreateSIPParticipant")
            ? """{"participantId":"PA_1","participantIdentity":"door:1","roomName":"call-1","sipCallId":"SCL_1"}"""
            : path.Contains("/ListSIP") ? """{"items":[{"sipTrunkId":"ST_1","name":"neolia-asterisk"}]}""" : """{"sipTrunkId":"ST_1","name":"neolia-asterisk"}""", TimeSpan.Zero);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private SipClient Client() => new(new HttpClient { Timeout = TimeSpan.FromSeconds(10) },
        Options.Create(new LiveKitOptions { Url = "wss://x.test", ApiUrl = _server.Url, ApiKey = _credentials.Key, ApiSecret = _credentials.Secret }),
        TimeProvider.System, new ListLogger<SipClient>());

    private async Task AssertSameAsync(Func<SipClient, Task<RoomServiceResult>> ours, string method, object args, string path, string sipGrants)
    {
        var result = await ours(Client());
        Assert.True(result.Succeeded, result.Error);
        Assert.True(_server.Requests.TryDequeue(out var our));

        var official = await Oracle.RunAsync("sip-client.mjs", new { host = _server.Url, apiKey = _credentials.Key, apiSecret = _credentials.Secret, method, args });
        Assert.True((bool)official["ok"]!, official.ToJsonString());
        Assert.True(_server.Requests.TryDequeue(out var their));
        Assert.True(_server.Requests.IsEmpty, "one request each");

        Assert.Equal($"/twirp/livekit.SIP/{path}", our!.Path);
        await TwirpContract.AssertSameRequestAsync(our, their!, _credentials, new Dictionary<string, string> { ["video"] = "{}", ["sip"] = sipGrants });
    }

    private static Func<SipClient, Task<RoomServiceResult>> Call<T>(Func<SipClient, Task<RoomServiceResult<T>>> call) =>
        async c => await call(c);

    [Fact]
    public Task CreateSIPOutboundTrunk_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.CreateSIPOutboundTrunkAsync(new SipOutboundTrunkInfo
        {
            Name = "neolia-asterisk", Address = "asterisk:5060", Numbers = ["neolia"], AuthUsername = "livekit", AuthPassword = "a-password-of-the-test",
        })),
        "createSipOutboundTrunk",
        new { name = "neolia-asterisk", address = "asterisk:5060", numbers = new[] { "neolia" }, opts = new { authUsername = "livekit", authPassword = "a-password-of-the-test" } },
        "CreateSIPOutboundTrunk", SipAdmin);

    [Fact]
    public Task CreateSIPInboundTrunk_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.CreateSIPInboundTrunkAsync(new SipInboundTrunkInfo { Name = "from-asterisk", Numbers = ["neolia"], AllowedAddresses = ["10.0.0.0/8"] })),
        "createSipInboundTrunk",
        new { name = "from-asterisk", numbers = new[] { "neolia" }, opts = new { allowedAddresses = new[] { "10.0.0.0/8" } } },
        "CreateSIPInboundTrunk", SipAdmin);

    [Fact]
    public Task ListSIPOutboundTrunk_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.ListSIPOutboundTrunkAsync()), "listSipOutboundTrunk", new { }, "ListSIPOutboundTrunk", SipAdmin);

    [Fact]
    public Task ListSIPInboundTrunk_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.ListSIPInboundTrunkAsync()), "listSipInboundTrunk", new { }, "ListSIPInboundTrunk", SipAdmin);

    [Fact]
    public Task DeleteSIPTrunk_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.DeleteSIPTrunkAsync("ST_1")), "deleteSipTrunk", new { sipTrunkId = "ST_1" }, "DeleteSIPTrunk", SipAdmin);

    [Fact]
    public Task CreateSIPDispatchRule_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.CreateSIPDispatchRuleAsync(new CreateSipDispatchRuleRequest
        {
            Rule = new SipDispatchRule { DispatchRuleCallee = new SipDispatchRuleRoomPrefix("call-") }, TrunkIds = ["ST_1"], Name = "door-calls",
        })),
        "createSipDispatchRule",
        new { rule = new { type = "callee", roomPrefix = "call-" }, opts = new { trunkIds = new[] { "ST_1" }, name = "door-calls" } },
        "CreateSIPDispatchRule", SipAdmin);

    [Fact]
    public Task ListSIPDispatchRule_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.ListSIPDispatchRuleAsync()), "listSipDispatchRule", new { }, "ListSIPDispatchRule", SipAdmin);

    [Fact]
    public Task CreateSIPParticipant_sends_what_the_official_client_sends() => AssertSameAsync(
        Call(c => c.CreateSIPParticipantAsync(new CreateSipParticipantRequest
        {
            SipTrunkId = "ST_1", SipCallTo = "0195f0c2a1b27c3d8e9f000000000001", RoomName = "call-1",
            ParticipantIdentity = "door:0195f0c2-a1b2-7c3d-8e9f-000000000002", ParticipantName = "Main entrance",
        })),
        "createSipParticipant",
        new
        {
            sipTrunkId = "ST_1", number = "0195f0c2a1b27c3d8e9f000000000001", roomName = "call-1",
            opts = new { participantIdentity = "door:0195f0c2-a1b2-7c3d-8e9f-000000000002", participantName = "Main entrance" },
        },
        "CreateSIPParticipant", """{"call":true}""");

    [Fact]
    public async Task Answers_are_read()
    {
        var participant = await Client().CreateSIPParticipantAsync(new CreateSipParticipantRequest
        {
            SipTrunkId = "ST_1", SipCallTo = "x", RoomName = "call-1", ParticipantIdentity = "door:1",
        });
        Assert.Equal("door:1", participant.Value!.ParticipantIdentity);
        Assert.Equal("SCL_1", participant.Value.SipCallId);

        var trunks = await Client().ListSIPOutboundTrunkAsync();
        Assert.Equal("neolia-asterisk", Assert.Single(trunks.Value!).Name);
    }
}
