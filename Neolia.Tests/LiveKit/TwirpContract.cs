using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Neolia.Tests.LiveKit;

/// <summary>Compares one request of a Neolia LiveKit client with the request the official SDK sends for the same call.</summary>
internal static class TwirpContract
{
    /// <param name="grantClaims">The token claims that carry grants (<c>video</c>, <c>sip</c>) and what the official client puts in them.</param>
    public static async Task AssertSameRequestAsync(CapturingServer.Captured ours, CapturingServer.Captured official,
        (string Key, string Secret) credentials, IReadOnlyDictionary<string, string> grantClaims)
    {
        Assert.Equal(official.Method, ours.Method);
        Assert.Equal(official.Path, ours.Path);

        var (ourType, theirType) = (MediaTypeHeaderValue.Parse(ours.ContentType!), MediaTypeHeaderValue.Parse(official.ContentType!));
        Assert.Equal(theirType.MediaType, ourType.MediaType);
        Assert.Equal(theirType.CharSet, ourType.CharSet, StringComparer.OrdinalIgnoreCase);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(official.Body), JsonNode.Parse(ours.Body)), $"ours {ours.Body}, official {official.Body}");

        Assert.StartsWith("Bearer ", official.Authorization);
        Assert.StartsWith("Bearer ", ours.Authorization);
        var (ourToken, theirToken) = (ours.Authorization!["Bearer ".Length..], official.Authorization!["Bearer ".Length..]);
        var verdict = await Oracle.RunAsync("verify-token.mjs", new { apiKey = credentials.Key, apiSecret = credentials.Secret, token = ourToken });
        Assert.True((bool)verdict["ok"]!, verdict.ToJsonString());

        var (ourClaims, theirClaims) = (Oracle.Payload(ourToken), Oracle.Payload(theirToken));
        foreach (var (claim, expected) in grantClaims)
        {
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), theirClaims[claim]), $"the oracle's {claim} grants changed: {theirClaims[claim]?.ToJsonString()}");
            Assert.True(JsonNode.DeepEquals(theirClaims[claim], ourClaims[claim]), $"{claim}: ours {ourClaims[claim]?.ToJsonString()}, official {theirClaims[claim]?.ToJsonString()}");
        }
        Assert.Equal(theirClaims.Select(c => c.Key).Order(), ourClaims.Select(c => c.Key).Order());
        Assert.Equal((long)theirClaims["exp"]! - (long)theirClaims["nbf"]!, (long)ourClaims["exp"]! - (long)ourClaims["nbf"]!);
    }
}
