using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Neolia.Notifier.Push;

/// <summary>
/// OAuth2 access tokens for FCM from a service account (RFC 7523 JWT bearer grant): an RS256 assertion signed with
/// the account's key is exchanged at its <c>token_uri</c>; the token is reused until shortly before it expires.
/// </summary>
public sealed class FcmAccessTokens(FcmServiceAccount account, HttpClient http, TimeProvider time)
{
    public const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim gate = new(1, 1);
    private (string Token, DateTimeOffset RefreshAt)? current;

    public async ValueTask<string> GetAsync(CancellationToken ct)
    {
        if (current is { } fresh && time.GetUtcNow() < fresh.RefreshAt) return fresh.Token;
        await gate.WaitAsync(ct);
        try
        {
            if (current is { } again && time.GetUtcNow() < again.RefreshAt) return again.Token;
            current = await RequestAsync(ct);
            return current.Value.Token;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>FCM refused the token (401): the next send fetches a new one.</summary>
    public void Invalidate(string token)
    {
        if (current is { } c && c.Token == token) current = null;
    }

    private async Task<(string, DateTimeOffset)> RequestAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var header = new JsonObject { ["typ"] = "JWT" };
        if (account.PrivateKeyId is { } kid) header["kid"] = kid;
        var assertion = Jws.SignRs256(header, new JsonObject
        {
            ["iss"] = account.ClientEmail,
            ["scope"] = Scope,
            ["aud"] = account.TokenUri.ToString(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + AssertionLifetime).ToUnixTimeSeconds(),
        }, account.PrivateKey);

        using var request = new HttpRequestMessage(HttpMethod.Post, account.TokenUri)
        {
            Content = new FormUrlEncodedContent([
                new("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                new("assertion", assertion),
            ]),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            // invalid_grant / unauthorized_client: the key is revoked or wrong; retrying will not help.
            var code = (int)response.StatusCode;
            throw new FcmTokenException($"token endpoint answered {code}: {Truncate(body)}", retryable: code is 408 or 429 or >= 500);
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var token = json.RootElement.GetProperty("access_token").GetString();
            var expiresIn = json.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) ? TimeSpan.FromSeconds(s) : TimeSpan.FromMinutes(30);
            if (string.IsNullOrEmpty(token)) throw new FcmTokenException("token endpoint sent no access_token", retryable: true);
            var margin = expiresIn > RefreshMargin * 2 ? RefreshMargin : expiresIn / 2;
            return (token, time.GetUtcNow() + expiresIn - margin);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FcmTokenException("token endpoint sent an unreadable answer", retryable: true);
        }
    }

    internal static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

public sealed class FcmTokenException(string message, bool retryable) : Exception(message)
{
    public bool Retryable { get; } = retryable;
}
