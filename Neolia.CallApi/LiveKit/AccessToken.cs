using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// A LiveKit access token: an HS256 JWT with <c>iss</c> = API key, <c>sub</c> = identity, <c>nbf</c>, <c>exp</c>,
/// and the grants. Same names as the official server SDKs, which are not available for .NET here.
/// </summary>
public sealed class AccessToken(string apiKey, string apiSecret)
{
    public string? Identity { get; init; }
    public string? Name { get; init; }
    public string? Metadata { get; init; }
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);
    public VideoGrants? Video { get; init; }

    /// <summary>The <c>sip</c> claim: what the SIP service API lets the bearer do.</summary>
    public SipGrants? Sip { get; init; }

    /// <summary>Base64 SHA-256 of a webhook body (the LiveKit server signs its webhooks with this claim).</summary>
    public string? Sha256 { get; init; }

    public string ToJwt(TimeProvider? time = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();
        var claims = new Claims
        {
            Issuer = apiKey,
            Subject = Identity,
            Name = Name,
            Metadata = Metadata,
            NotBefore = now,
            Expires = now + (long)Ttl.TotalSeconds,
            Video = Video,
            Sip = Sip,
            Sha256 = Sha256,
        };
        return Sign(JsonSerializer.SerializeToUtf8Bytes(claims, LiveKitJson.Default.Claims), apiSecret);
    }

    private static readonly byte[] EncodedHeader = EncodeBase64Url("""{"alg":"HS256","typ":"JWT"}"""u8);

    private static string Sign(ReadOnlySpan<byte> payloadJson, string secret)
    {
        var payload = EncodeBase64Url(payloadJson);
        var signingInput = new byte[EncodedHeader.Length + 1 + payload.Length];
        EncodedHeader.CopyTo(signingInput, 0);
        signingInput[EncodedHeader.Length] = (byte)'.';
        payload.CopyTo(signingInput, EncodedHeader.Length + 1);

        Span<byte> signature = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signingInput, signature);
        return $"{Encoding.ASCII.GetString(signingInput)}.{Encoding.ASCII.GetString(EncodeBase64Url(signature))}";
    }

    private static byte[] EncodeBase64Url(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[Base64Url.GetEncodedLength(data.Length)];
        Base64Url.EncodeToUtf8(data, buffer);
        return buffer;
    }

    internal sealed record Claims
    {
        [JsonPropertyName("iss")] public required string Issuer { get; init; }
        [JsonPropertyName("sub")] public string? Subject { get; init; }
        [JsonPropertyName("name")] public string? Name { get; init; }
        [JsonPropertyName("metadata")] public string? Metadata { get; init; }
        [JsonPropertyName("nbf")] public long NotBefore { get; init; }
        [JsonPropertyName("exp")] public long Expires { get; init; }
        [JsonPropertyName("video")] public VideoGrants? Video { get; init; }
        [JsonPropertyName("sip")] public SipGrants? Sip { get; init; }
        [JsonPropertyName("sha256")] public string? Sha256 { get; init; }
    }
}
