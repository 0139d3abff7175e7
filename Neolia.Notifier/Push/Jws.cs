using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Neolia.Notifier.Push;

/// <summary>Compact JWS (RFC 7515) signing for the two tokens push needs: RS256 for Google, ES256 for Apple.</summary>
internal static class Jws
{
    public static string SignRs256(JsonObject header, JsonObject claims, RSA key) =>
        Sign(header, claims, "RS256", input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>ES256 signatures are the raw 64-byte r‖s (IEEE P1363), which is what <see cref="ECDsa.SignData(byte[], HashAlgorithmName)"/> returns.</summary>
    public static string SignEs256(JsonObject header, JsonObject claims, ECDsa key) =>
        Sign(header, claims, "ES256", input => key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    private static string Sign(JsonObject header, JsonObject claims, string alg, Func<byte[], byte[]> sign)
    {
        header["alg"] = alg;
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
                           Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        return signingInput + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signingInput)));
    }
}
