using System.Security.Cryptography;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// Receives LiveKit webhooks as the official <c>WebhookReceiver</c> does: the <c>Authorization</c> header is a raw
/// token (no <c>Bearer</c>) signed with the API secret, issued by the API key, not expired, whose <c>sha256</c> claim
/// is the base64 SHA-256 of the raw body. Only then is the body parsed.
/// </summary>
public sealed class WebhookReceiver(string apiKey, string apiSecret, TimeProvider? time = null)
{
    private readonly TokenVerifier _verifier = new(apiKey, apiSecret, time);

    public WebhookReceiveResult Receive(ReadOnlySpan<byte> body, string? authorization)
    {
        if (string.IsNullOrEmpty(authorization)) return WebhookReceiveResult.Unauthorized("the Authorization header is missing");

        var claims = _verifier.Verify(authorization, out var tokenError);
        if (claims is null) return WebhookReceiveResult.Unauthorized(tokenError!);

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        if (claims.Sha256 is null || claims.Sha256 != Convert.ToBase64String(hash))
        {
            return WebhookReceiveResult.Unauthorized("the sha256 claim does not match the body");
        }

        var webhookEvent = WebhookEvent.Parse(body, out var parseError);
        return webhookEvent is null ? WebhookReceiveResult.Malformed(parseError!) : new WebhookReceiveResult(webhookEvent, WebhookFailure.None, null);
    }
}

public enum WebhookFailure
{
    None,
    /// <summary>Missing or bad signature, wrong key, expired, or a body that is not the one signed.</summary>
    Unauthorized,
    /// <summary>Signed correctly, but not a webhook event.</summary>
    Malformed,
}

public sealed record WebhookReceiveResult(WebhookEvent? Event, WebhookFailure Failure, string? Error)
{
    public bool Succeeded => Event is not null;

    internal static WebhookReceiveResult Unauthorized(string error) => new(null, WebhookFailure.Unauthorized, error);
    internal static WebhookReceiveResult Malformed(string error) => new(null, WebhookFailure.Malformed, error);
}
