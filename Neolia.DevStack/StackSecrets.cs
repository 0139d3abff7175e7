using System.Security.Cryptography;

namespace Neolia.DevStack;

/// <summary>
/// The secrets a stack needs: the same ones the AppHost's parameters give its services (StackWiringTests in
/// Neolia.AppHost.Tests compares the two). Generated for every test stack, never committed.
/// </summary>
public sealed record StackSecrets(string JwtSigningKey, string LiveKitApiKey, string LiveKitApiSecret, string DemoPassword,
    string KeyEncryptionKey, string MediaRelaySecret, string DemoSipPassword, string PostgresPassword, string RedisPassword)
{
    public static StackSecrets Generate() => new(
        JwtSigningKey: Random(48),
        LiveKitApiKey: "API" + Random(9),
        LiveKitApiSecret: Random(48),
        // Meets the sign-in password rules (upper, lower, digit) whatever the random part holds.
        DemoPassword: $"Demo-{Random(10)}-{RandomNumberGenerator.GetInt32(10, 100)}",
        KeyEncryptionKey: Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        MediaRelaySecret: Random(48),
        DemoSipPassword: Random(20),
        PostgresPassword: Random(24),
        RedisPassword: Random(24));

    private static string Random(int length) =>
        RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", length);
}
