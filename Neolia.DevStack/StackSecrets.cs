using System.Security.Cryptography;
using System.Text.Json;

namespace Neolia.DevStack;

/// <summary>
/// The secrets a stack needs. Generated, never committed: a developer's are kept in <c>.devstack/secrets.json</c>
/// (git-ignored) so they survive restarts; a test stack makes new ones every time.
/// </summary>
public sealed record StackSecrets(string JwtSigningKey, string LiveKitApiKey, string LiveKitApiSecret, string WebhookSecret, string DemoPassword)
{
    public static StackSecrets Generate() => new(
        JwtSigningKey: Random(48),
        LiveKitApiKey: "API" + Random(9),
        LiveKitApiSecret: Random(48),
        WebhookSecret: Random(32),
        // Meets the sign-in password rules (upper, lower, digit) whatever the random part holds.
        DemoPassword: $"Demo-{Random(10)}-{RandomNumberGenerator.GetInt32(10, 100)}");

    public static StackSecrets LoadOrCreate(string path)
    {
        if (File.Exists(path)) return JsonSerializer.Deserialize<StackSecrets>(File.ReadAllText(path))!;
        var secrets = Generate();
        PrivateFile.Write(path, JsonSerializer.Serialize(secrets, new JsonSerializerOptions { WriteIndented = true }));
        return secrets;
    }

    private static string Random(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", length);
}
