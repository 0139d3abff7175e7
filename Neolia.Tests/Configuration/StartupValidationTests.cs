using Neolia.DevStack;

namespace Neolia.Tests.Configuration;

/// <summary>A service with a missing or malformed setting stops at start, and its message names the key to set.</summary>
public sealed class StartupValidationTests
{
    private static readonly StackSecrets Secrets = StackSecrets.Generate();

    private static Dictionary<string, string?> CallApiSettings() => new()
    {
        // Nothing listens there: validation must stop the service before it tries.
        ["ConnectionStrings__neolia"] = "Host=127.0.0.1;Port=1;Database=neolia;Username=postgres",
        ["ConnectionStrings__redis"] = "127.0.0.1:1",
        ["Jwt__SigningKey"] = Secrets.JwtSigningKey,
        ["LiveKit__Url"] = "ws://127.0.0.1:7880",
        ["LiveKit__ApiUrl"] = "http://127.0.0.1:7880",
        ["LiveKit__ApiKey"] = Secrets.LiveKitApiKey,
        ["LiveKit__ApiSecret"] = Secrets.LiveKitApiSecret,
        // The environment is Production here (none is set): the key ring's key-encryption key is required.
        ["DataProtection__KeyEncryptionKey"] = Convert.ToBase64String(new byte[32]),
    };

    public static TheoryData<string, string?, string> CallApiMistakes => new()
    {
        { "ConnectionStrings__neolia", null, "ConnectionStrings:neolia" },
        { "ConnectionStrings__redis", null, "ConnectionStrings:redis" },
        { "Jwt__SigningKey", null, "Jwt:SigningKey" },
        { "Jwt__SigningKey", "too-short", "Jwt:SigningKey" },
        { "LiveKit__ApiSecret", null, "LiveKit:ApiSecret" },
        { "LiveKit__Url", "not a url", "LiveKit:Url" },
        { "Calls__RingTimeoutSeconds", "0", "Calls:RingTimeoutSeconds" },
        { "DataProtection__KeyEncryptionKey", null, "DataProtection:KeyEncryptionKey" },
        { "DataProtection__KeyEncryptionKey", "c2hvcnQ=", "DataProtection:KeyEncryptionKey" },
        { "DataProtection__KeyEncryptionKeyId", "no spaces allowed", "DataProtection:KeyEncryptionKeyId" },
        { "SignIn__FailuresPerWindow", "0", "SignIn:FailuresPerWindow" },
        { "Asterisk__Realtime__Password", "short", "Asterisk:Realtime:Password" },
        { "Asterisk__Realtime__Role", "Robert'); DROP", "Asterisk:Realtime:Role" },
    };

    [Theory]
    [MemberData(nameof(CallApiMistakes))]
    public async Task CallApi_refuses_to_start_and_names_the_key(string key, string? value, string named)
    {
        var settings = CallApiSettings();
        settings[key] = value;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("callapi", "Neolia.CallApi", settings));
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("Revocations__LocalCopyMaxAge", "00:00:01", "Revocations:LocalCopyMaxAge")]
    [InlineData("Revocations__ReloadInterval", "0", "Revocations:ReloadInterval")]
    public async Task Notifier_refuses_a_malformed_setting_and_names_the_key(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings__redis"] = "127.0.0.1:1", ["Jwt__SigningKey"] = Secrets.JwtSigningKey, [key] = value };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("notifier", "Neolia.Notifier", settings));
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("ConnectionStrings__redis", "ConnectionStrings:redis")]
    [InlineData("Jwt__SigningKey", "Jwt:SigningKey")]
    public async Task Notifier_refuses_to_start_and_names_the_key(string missing, string named)
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings__redis"] = "127.0.0.1:1", ["Jwt__SigningKey"] = Secrets.JwtSigningKey };
        settings[missing] = null;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("notifier", "Neolia.Notifier", settings));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public async Task Gateway_refuses_a_trusted_proxy_that_is_not_an_address_and_names_the_key()
    {
        var settings = new Dictionary<string, string?> { ["services__callapi__http__0"] = "http://127.0.0.1:1", ["Edge__TrustedProxies__0"] = "the-load-balancer" };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync("gateway", "Neolia.Gateway", settings));
        Assert.Contains("Edge:TrustedProxies", error.Message);
    }

    private static async Task StartAsync(string name, string project, Dictionary<string, string?> settings)
    {
        var logs = Path.Combine(Path.GetTempPath(), "neolia-tests", "startup-" + Guid.NewGuid().ToString("N")[..8]);
        await using var service = await ServiceProcess.StartAsync(name, project, FreePort.Next(), settings, logs);
    }
}
