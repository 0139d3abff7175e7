using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Neolia.Tests.Push;

/// <summary>A decoded compact JWS whose signature the fakes check against the test keys.</summary>
public sealed record TestJwt(JsonObject Header, JsonObject Claims, byte[] SigningInput, byte[] Signature)
{
    public static TestJwt? TryParse(string? jwt)
    {
        var parts = jwt?.Split('.');
        if (parts is not { Length: 3 }) return null;
        try
        {
            return new TestJwt(
                JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject(),
                JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject(),
                Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]),
                Base64Url.DecodeFromChars(parts[2]));
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    public bool VerifiedBy(RSA key) => key.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    public bool VerifiedBy(ECDsa key) => Signature.Length == 64 && key.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256);
    public long? NumericClaim(string name) => Claims[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;
}

public sealed record FcmReceived(string Token, IReadOnlyDictionary<string, string> Data, JsonObject Android, JsonObject Message);

/// <summary>
/// Stands in for Google's OAuth2 token endpoint and FCM HTTP v1 on loopback TLS. It checks what Google checks
/// (grant type, the assertion's RS256 signature against the service account's key, its claims, the bearer token,
/// the message's shape) and answers as Google does. Tokens starting with <c>dead-</c> are unregistered,
/// <c>invalid-</c> are not FCM tokens, <c>busy-</c> get 503 UNAVAILABLE; anything else is delivered.
/// </summary>
public sealed class FakeGoogle : IAsyncDisposable
{
    public const string ProjectId = "neolia-test";
    public const string ClientEmail = "push@neolia-test.iam.gserviceaccount.com";
    public const string KeyId = "test-key-1";

    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, DateTimeOffset> issued = new();
    private Microsoft.AspNetCore.Builder.WebApplication? app;

    public RSA Key { get; } = RSA.Create(2048);
    public Uri BaseUrl { get; private set; } = null!;
    public Uri TokenUri => new(BaseUrl, "token");
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromSeconds(3599);
    public int TokenRequests => tokenRequests;
    private int tokenRequests;
    public ConcurrentQueue<FcmReceived> Delivered { get; } = new();
    public ConcurrentQueue<string> Violations { get; } = new();
    /// <summary>Stalls send requests (after validation) while engaged.</summary>
    public RequestHold Hold { get; } = new();
    /// <summary>Send requests that reached the endpoint, whatever the answer.</summary>
    public int SendRequests => sendRequests;
    private int sendRequests;

    private FakeGoogle(TimeProvider time) => this.time = time;

    public static async Task<FakeGoogle> StartAsync(TimeProvider? time = null)
    {
        var fake = new FakeGoogle(time ?? TimeProvider.System);
        (fake.app, fake.BaseUrl) = await TestTls.StartAsync(HttpProtocols.Http1AndHttp2, app =>
        {
            app.MapPost("/token", (Delegate)((HttpContext c) => fake.TokenAsync(c)));
            app.MapPost("/v1/projects/{project}/messages:send", (HttpContext c, string project) => fake.SendAsync(c, project));
        });
        return fake;
    }

    /// <summary>A service-account key file as Google issues it, for this fake's key and token endpoint.</summary>
    public string ServiceAccountJson() => new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = KeyId,
        ["private_key"] = Key.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = ClientEmail,
        ["client_id"] = "1234567890",
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = TokenUri.ToString(),
    }.ToJsonString();

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref tokenRequests);
        if (!context.Request.HasFormContentType) return OAuthError("invalid_request", "content type must be application/x-www-form-urlencoded");
        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer") return OAuthError("unsupported_grant_type", "Invalid grant_type");
        var jwt = TestJwt.TryParse(form["assertion"]);
        if (jwt is null) return OAuthError("invalid_grant", "assertion is not a JWT");
        if ((string?)jwt.Header["alg"] != "RS256") return OAuthError("invalid_grant", "alg must be RS256");
        if ((string?)jwt.Header["kid"] is { } kid && kid != KeyId) return OAuthError("invalid_grant", "unknown kid");
        if (!jwt.VerifiedBy(Key)) return OAuthError("invalid_grant", "Invalid JWT Signature.");
        if ((string?)jwt.Claims["iss"] != ClientEmail) return OAuthError("invalid_grant", "iss is not the service account");
        if ((string?)jwt.Claims["aud"] != TokenUri.ToString()) return OAuthError("invalid_grant", "aud must be the token_uri");
        var scopes = ((string?)jwt.Claims["scope"])?.Split(' ') ?? [];
        if (!scopes.Contains("https://www.googleapis.com/auth/firebase.messaging")) return OAuthError("invalid_scope", "firebase.messaging scope missing");
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (jwt.NumericClaim("iat") is not { } iat || Math.Abs(iat - now) > 300) return OAuthError("invalid_grant", "iat is not now");
        if (jwt.NumericClaim("exp") is not { } exp || exp <= iat || exp - iat > 3600) return OAuthError("invalid_grant", "exp must be after iat and at most 1 hour later");

        var token = $"ya29.test-{Guid.NewGuid():N}";
        issued[token] = time.GetUtcNow() + AccessTokenLifetime;
        return Results.Json(new JsonObject
        {
            ["access_token"] = token,
            ["expires_in"] = (int)AccessTokenLifetime.TotalSeconds,
            ["token_type"] = "Bearer",
        });
    }

    private IResult OAuthError(string error, string description)
    {
        Violations.Enqueue($"token endpoint: {description}");
        return Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: 400);
    }

    private async Task<IResult> SendAsync(HttpContext context, string project)
    {
        Interlocked.Increment(ref sendRequests);
        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !issued.TryGetValue(auth["Bearer ".Length..], out var expires) || expires <= time.GetUtcNow())
        {
            return GoogleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", violation: true);
        }
        if (project != ProjectId) return GoogleError(404, "NOT_FOUND", $"project {project} not found", violation: true);
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            return GoogleError(400, "INVALID_ARGUMENT", "content type must be JSON", violation: true);

        JsonObject message;
        try
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            if (body.Any(p => p.Key is not ("message" or "validate_only"))) return GoogleError(400, "INVALID_ARGUMENT", "Unknown name in request body", violation: true);
            message = body["message"]!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            return GoogleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", violation: true);
        }

        if (message["token"] is not JsonValue tokenValue || !tokenValue.TryGetValue<string>(out var token) || token.Length == 0)
            return GoogleError(400, "INVALID_ARGUMENT", "message.token is required", violation: true);
        if (message.ContainsKey("notification") || message.ContainsKey("topic") || message.ContainsKey("condition"))
            return GoogleError(400, "INVALID_ARGUMENT", "a call push must be a data-only message to one token", violation: true);
        if (message["data"] is not JsonObject data || data.Count == 0) return GoogleError(400, "INVALID_ARGUMENT", "message.data is required", violation: true);
        var values = new Dictionary<string, string>();
        foreach (var (key, value) in data)
        {
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                return GoogleError(400, "INVALID_ARGUMENT", $"Invalid value at 'message.data[{key}].value' (TYPE_STRING)", violation: true);
            values[key] = v.GetValue<string>();
        }
        if (message["android"] is not JsonObject android) return GoogleError(400, "INVALID_ARGUMENT", "android config expected", violation: true);
        if ((string?)android["priority"] is not ("high" or "HIGH")) return GoogleError(400, "INVALID_ARGUMENT", "android.priority must be high", violation: true);
        if ((string?)android["ttl"] is not { } ttl || !System.Text.RegularExpressions.Regex.IsMatch(ttl, @"^\d+(\.\d{1,9})?s$"))
            return GoogleError(400, "INVALID_ARGUMENT", "Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration)", violation: true);

        if (token.StartsWith("dead-", StringComparison.Ordinal)) return FcmError(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED");
        if (token.StartsWith("invalid-", StringComparison.Ordinal)) return FcmError(400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token", "INVALID_ARGUMENT");
        if (token.StartsWith("busy-", StringComparison.Ordinal)) return FcmError(503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE");

        if (!await Hold.PassAsync(token, context.RequestAborted)) return Results.Empty; // the sender is gone: never accepted
        Delivered.Enqueue(new FcmReceived(token, values, android, message));
        return Results.Json(new JsonObject { ["name"] = $"projects/{ProjectId}/messages/0:{Guid.NewGuid():N}" });
    }

    private IResult GoogleError(int code, string status, string message, bool violation)
    {
        if (violation) Violations.Enqueue($"fcm: {message}");
        return Results.Json(new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = status } }, statusCode: code);
    }

    private static IResult FcmError(int code, string status, string message, string errorCode) => Results.Json(new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["status"] = status,
            ["details"] = new JsonArray(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                ["errorCode"] = errorCode,
            }),
        },
    }, statusCode: code);

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        Key.Dispose();
    }
}
