using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// Checks a LiveKit token as the official SDKs do: HS256 signature with the API secret, <c>iss</c> = API key,
/// an <c>exp</c> that is required and not passed, and an <c>nbf</c> that is reached (both with 10 s tolerance).
/// </summary>
public sealed class TokenVerifier(string apiKey, string apiSecret, TimeProvider? time = null)
{
    /// <summary>The clock skew the official verifier allows.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(10);

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(apiSecret);

    /// <returns>The token's claims, or <c>null</c> with <paramref name="error"/> saying why it was refused.</returns>
    public VerifiedClaims? Verify(string? token, out string? error)
    {
        if (string.IsNullOrWhiteSpace(token)) return Fail("the token is missing", out error);
        var parts = token.Split('.');
        if (parts.Length != 3) return Fail("the token is not a JWS in compact form", out error);

        if (!TryDecode(parts[0], out var headerJson) || !TryDecode(parts[1], out var payloadJson) || !TryDecode(parts[2], out var signature))
        {
            return Fail("the token is not base64url", out error);
        }

        string? algorithm;
        try
        {
            using var header = JsonDocument.Parse(headerJson);
            algorithm = header.RootElement.ValueKind == JsonValueKind.Object
                && header.RootElement.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String ? alg.GetString() : null;
        }
        catch (JsonException)
        {
            return Fail("the token's header is not JSON", out error);
        }
        if (algorithm != "HS256") return Fail($"the token's algorithm is '{algorithm}', not HS256", out error);

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(token, 0, parts[0].Length + 1 + parts[1].Length), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, signature)) return Fail("the signature does not match", out error);

        VerifiedClaims? claims;
        try
        {
            claims = JsonSerializer.Deserialize(payloadJson, LiveKitJson.Default.VerifiedClaims);
        }
        catch (JsonException)
        {
            return Fail("the token's claims are not valid JSON", out error);
        }
        if (claims is null) return Fail("the token has no claims", out error);
        if (claims.Issuer != apiKey) return Fail("the token was issued for another API key", out error);

        var now = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();
        var tolerance = (long)ClockTolerance.TotalSeconds;
        if (claims.Expires is not { } exp) return Fail("the token has no expiry", out error);
        if (now - tolerance >= exp) return Fail("the token has expired", out error);
        if (claims.NotBefore is { } nbf && now + tolerance < nbf) return Fail("the token is not valid yet", out error);

        error = null;
        return claims;
    }

    private static VerifiedClaims? Fail(string why, out string? error)
    {
        error = why;
        return null;
    }

    private static bool TryDecode(string segment, out byte[] bytes)
    {
        bytes = [];
        if (segment.Length == 0) return false;
        var buffer = new byte[Base64Url.GetMaxDecodedLength(segment.Length)];
        if (Base64Url.DecodeFromChars(segment, buffer, out _, out var written) != System.Buffers.OperationStatus.Done) return false;
        bytes = buffer[..written];
        return true;
    }
}

/// <summary>The claims of a verified LiveKit token that Neolia reads.</summary>
public sealed record VerifiedClaims
{
    [JsonPropertyName("iss")] public string? Issuer { get; init; }
    [JsonPropertyName("sub")] public string? Subject { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("metadata")] public string? Metadata { get; init; }
    [JsonPropertyName("nbf")] public long? NotBefore { get; init; }
    [JsonPropertyName("exp")] public long? Expires { get; init; }
    [JsonPropertyName("video")] public VideoGrants? Video { get; init; }
    [JsonPropertyName("sha256")] public string? Sha256 { get; init; }
}
