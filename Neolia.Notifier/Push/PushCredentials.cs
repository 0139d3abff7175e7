using System.Security.Cryptography;
using System.Text.Json;

namespace Neolia.Notifier.Push;

/// <summary>What FCM needs from a Google service-account key file.</summary>
public sealed class FcmServiceAccount
{
    public required string ProjectId { get; init; }
    public required string ClientEmail { get; init; }
    public string? PrivateKeyId { get; init; }
    public required RSA PrivateKey { get; init; }
    public required Uri TokenUri { get; init; }

    /// <exception cref="FormatException">The JSON is not a usable service-account key; the message never contains the key.</exception>
    public static FcmServiceAccount Parse(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new FormatException("it is not valid JSON");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("it is not a JSON object");
        if (String(root, "type") is { } type && type != "service_account")
            throw new FormatException($"its \"type\" is \"{type}\", not \"service_account\"");

        var tokenUriText = String(root, "token_uri") ?? throw new FormatException("\"token_uri\" is missing");
        if (!Uri.TryCreate(tokenUriText, UriKind.Absolute, out var tokenUri) || tokenUri.Scheme != Uri.UriSchemeHttps)
            throw new FormatException("\"token_uri\" is not an absolute https URL");

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(String(root, "private_key") ?? throw new FormatException("\"private_key\" is missing"));
        }
        catch (ArgumentException)
        {
            rsa.Dispose();
            throw new FormatException("\"private_key\" is not a PEM RSA private key");
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            throw new FormatException("\"private_key\" is not a PEM RSA private key");
        }

        return new FcmServiceAccount
        {
            ProjectId = String(root, "project_id") ?? throw new FormatException("\"project_id\" is missing"),
            ClientEmail = String(root, "client_email") ?? throw new FormatException("\"client_email\" is missing"),
            PrivateKeyId = String(root, "private_key_id"),
            PrivateKey = rsa,
            TokenUri = tokenUri,
        };
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;
}

/// <summary>What APNs token authentication needs.</summary>
public sealed class ApnsCredentials
{
    public required string TeamId { get; init; }
    public required string KeyId { get; init; }
    public required ECDsa PrivateKey { get; init; }
    public required string BundleId { get; init; }
    public required Uri BaseUrl { get; init; }
    public required TimeSpan ProviderTokenLifetime { get; init; }

    public string VoipTopic => BundleId + ".voip";

    /// <exception cref="FormatException">The .p8 text is not a P-256 private key.</exception>
    public static ECDsa ParseKey(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException("it is not a PEM EC private key (the .p8 file's text)");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new FormatException("it is not a P-256 key");
        }
        return key;
    }
}
