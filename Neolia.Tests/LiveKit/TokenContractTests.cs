using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Neolia.CallApi.LiveKit;

namespace Neolia.Tests.LiveKit;

/// <summary>Our tokens against the official <c>AccessToken</c> and <c>TokenVerifier</c>.</summary>
public sealed class TokenContractTests
{
    private readonly (string Key, string Secret) _credentials = Oracle.NewCredentials();

    private LiveKitTokens Tokens(TimeProvider? time = null) => new(Options.Create(new LiveKitOptions
    {
        Url = "wss://intercom.example.test",
        ApiUrl = "http://127.0.0.1:7880",
        ApiKey = _credentials.Key,
        ApiSecret = _credentials.Secret,
        TokenLifetime = TimeSpan.FromHours(1),
    }), time ?? TimeProvider.System);

    private Task<JsonNode> VerifyWithOfficialAsync(string token, string? secret = null) =>
        Oracle.RunAsync("verify-token.mjs", new { apiKey = _credentials.Key, apiSecret = secret ?? _credentials.Secret, token });

    [Fact]
    public async Task Resident_token_is_accepted_by_the_official_verifier_with_identity_name_room_and_grants()
    {
        var userId = Guid.NewGuid();
        var token = Tokens().ForResident("call-abc", userId, "Zoë Martin");

        var verdict = await VerifyWithOfficialAsync(token);

        Assert.True((bool)verdict["ok"]!, verdict.ToJsonString());
        var claims = verdict["claims"]!.AsObject();
        Assert.Equal(_credentials.Key, (string?)claims["iss"]);
        Assert.Equal($"user:{userId}", (string?)claims["sub"]);
        Assert.Equal("Zoë Martin", (string?)claims["name"]);
        Assert.Equal(3600, (long)claims["exp"]! - (long)claims["nbf"]!);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"roomJoin":true,"room":"call-abc","canPublish":true,"canSubscribe":true,"canPublishData":true}"""),
            claims["video"]), claims["video"]?.ToJsonString());
    }

    [Fact]
    public async Task Official_verifier_refuses_our_token_under_another_secret_or_once_expired()
    {
        var wrongSecret = await VerifyWithOfficialAsync(Tokens().ForResident("call-abc", Guid.NewGuid()), secret: Oracle.NewCredentials().Secret);
        Assert.False((bool)wrongSecret["ok"]!);

        var twoHoursAgo = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-2));
        var expired = await VerifyWithOfficialAsync(Tokens(twoHoursAgo).ForResident("call-abc", Guid.NewGuid()));
        Assert.False((bool)expired["ok"]!);
        Assert.Contains("exp", (string?)expired["error"]);
    }

    [Theory]
    [InlineData("Zoë Martin", """{"roomJoin":true,"room":"call-abc","canPublish":true,"canSubscribe":true,"canPublishData":true}""")]
    [InlineData(null, """{"roomJoin":true,"room":"call-abc","canSubscribe":true,"canPublishSources":["camera","microphone"],"hidden":false}""")]
    [InlineData(null, """{"roomCreate":true,"roomList":true,"roomAdmin":true,"roomRecord":true,"ingressAdmin":true,"recorder":true,"canUpdateOwnMetadata":true}""")]
    public async Task Our_token_has_the_claims_of_the_official_one_minted_alike(string? name, string grantsJson)
    {
        var grants = System.Text.Json.JsonSerializer.Deserialize<VideoGrants>(grantsJson)!;
        var ours = new AccessToken(_credentials.Key, _credentials.Secret) { Identity = "door:42", Name = name, Ttl = TimeSpan.FromMinutes(90), Video = grants }.ToJwt();
        var official = (string)(await Oracle.RunAsync("mint-token.mjs", new
        {
            apiKey = _credentials.Key, apiSecret = _credentials.Secret, identity = "door:42", name, ttl = 5400, video = JsonNode.Parse(grantsJson),
        }))["jwt"]!;

        Assert.Equal((string?)Oracle.Header(official)["alg"], (string?)Oracle.Header(ours)["alg"]);
        var (ourClaims, theirClaims) = (Oracle.Payload(ours), Oracle.Payload(official));
        // Same claim names present, and same absent ones (an unset name is omitted, not null).
        Assert.Equal(theirClaims.Select(p => p.Key).Order(), ourClaims.Select(p => p.Key).Order());
        Assert.Equal((long)theirClaims["exp"]! - (long)theirClaims["nbf"]!, (long)ourClaims["exp"]! - (long)ourClaims["nbf"]!);
        Assert.InRange((long)ourClaims["nbf"]! - (long)theirClaims["nbf"]!, -5, 5);
        foreach (var claim in new[] { "iss", "sub", "name", "video" })
        {
            Assert.True(JsonNode.DeepEquals(theirClaims[claim], ourClaims[claim]), $"{claim}: ours {ourClaims[claim]?.ToJsonString()}, official {theirClaims[claim]?.ToJsonString()}");
        }

        // And our verifier reads the official token as the official verifier reads ours.
        var verified = new TokenVerifier(_credentials.Key, _credentials.Secret).Verify(official, out var error);
        Assert.True(verified is not null, error);
        Assert.Equal("door:42", verified.Subject);
        Assert.Equal(name, verified.Name);
        Assert.Equal(grants with { }, verified.Video! with { CanPublishSources = grants.CanPublishSources });
        Assert.Equal(grants.CanPublishSources ?? [], verified.Video!.CanPublishSources ?? []);
    }

    [Fact]
    public async Task Our_verifier_refuses_official_tokens_that_are_expired_or_for_another_key_or_secret()
    {
        async Task<string> Mint(string key, string secret, string ttl) => (string)(await Oracle.RunAsync("mint-token.mjs", new
        {
            apiKey = key, apiSecret = secret, identity = "door:1", ttl, video = new { roomJoin = true, room = "r" },
        }))["jwt"]!;
        var verifier = new TokenVerifier(_credentials.Key, _credentials.Secret);
        var other = Oracle.NewCredentials();

        Assert.NotNull(verifier.Verify(await Mint(_credentials.Key, _credentials.Secret, "5m"), out _));
        Assert.Null(verifier.Verify(await Mint(_credentials.Key, _credentials.Secret, "-1m"), out var expired));
        Assert.Equal("the token has expired", expired);
        Assert.Null(verifier.Verify(await Mint(other.Key, _credentials.Secret, "5m"), out var wrongKey));
        Assert.Equal("the token was issued for another API key", wrongKey);
        Assert.Null(verifier.Verify(await Mint(_credentials.Key, other.Secret, "5m"), out var wrongSecret));
        Assert.Equal("the signature does not match", wrongSecret);
    }

    [Fact]
    public void Our_verifier_refuses_unsigned_tokens_and_allows_the_official_clock_tolerance()
    {
        var start = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var token = new AccessToken(_credentials.Key, _credentials.Secret) { Ttl = TimeSpan.FromMinutes(5) }.ToJwt(start);
        var verifier = new TokenVerifier(_credentials.Key, _credentials.Secret, start);

        var parts = token.Split('.');
        var none = $"{System.Buffers.Text.Base64Url.EncodeToString("""{"alg":"none"}"""u8)}.{parts[1]}.";
        Assert.Null(verifier.Verify(none, out _));

        start.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(9));
        Assert.NotNull(verifier.Verify(token, out _));
        start.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(verifier.Verify(token, out var error));
        Assert.Equal("the token has expired", error);
    }
}
