using System.Security.Cryptography;
using System.Text;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>
/// How a tenant's receiver knows an alert comes from Neolia and was not replayed: HMAC-SHA256 with the tenant's secret
/// over <c>{timestamp}.{body}</c>, sent as <c>Neolia-Webhook-Signature: v1={hex}</c> next to
/// <c>Neolia-Webhook-Timestamp: {unix seconds}</c> (docs/administration.md shows how to check it).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "Neolia-Webhook-Signature";
    public const string TimestampHeader = "Neolia-Webhook-Timestamp";
    public const string DeliveryHeader = "Neolia-Webhook-Delivery";

    /// <summary>A new secret: 32 random bytes, as the tenant types it into its receiver.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
