using Neolia.DevStack;

namespace Neolia.Tests.Media;

/// <summary>The relay refuses to start on a setting its mode cannot run without, and says which.</summary>
public sealed class RelayStartupTests
{
    [Theory]
    [InlineData("stack", "Relay:Secret")]
    [InlineData("site", "Relay:SiteId and Relay:Credential")]
    [InlineData("neither", "Relay:Mode")]
    public async Task The_relay_names_the_missing_key(string mode, string named)
    {
        var logs = Path.Combine(Path.GetTempPath(), "neolia-media", "startup-" + Guid.NewGuid().ToString("N")[..8]);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceProcess.StartAsync("relay-startup", "Neolia.MediaRelay", FreePort.Next(),
            new Dictionary<string, string?>
            {
                ["Relay__Mode"] = mode,
                // Never reached: validation stops the relay first.
                ["ConnectionStrings__redis"] = "127.0.0.1:1",
            }, logs));
        Assert.Contains(named, failure.Message);
    }
}
