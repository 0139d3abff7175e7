using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>A stack whose CallApi controls door calls through <see cref="FakeAsterisk"/>'s ARI and uses it as LiveKit's server API; calls ring for 5 s.</summary>
public class AriStackFixture : StackFixture
{
    public const int RingTimeoutSeconds = 5;
    public const string LiveKitTrunkAddress = "asterisk.test:5060";

    public FakeAsterisk Asterisk { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Asterisk = await FakeAsterisk.StartAsync();
        await base.InitializeAsync();
        await Asterisk.Connected.WaitAsync(TimeSpan.FromSeconds(30));
    }

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>> { ["callapi"] = CallApiSettings(Asterisk, RingTimeout) };

    /// <summary>How long its calls ring, in seconds.</summary>
    public virtual int RingTimeout => RingTimeoutSeconds;

    /// <summary>CallApi's settings for call control against <paramref name="asterisk"/> (ARI and LiveKit's API on the same stand-in).</summary>
    public static Dictionary<string, string?> CallApiSettings(FakeAsterisk asterisk, int ringTimeoutSeconds) => new()
    {
        ["CallControl__AriUrl"] = asterisk.Url,
        ["CallControl__AriUsername"] = FakeAsterisk.Username,
        ["CallControl__AriPassword"] = asterisk.Password,
        ["CallControl__LiveKitTrunkAddress"] = LiveKitTrunkAddress,
        ["CallControl__LiveKitTrunkUsername"] = "livekit",
        ["CallControl__LiveKitTrunkPassword"] = "livekit-trunk-password-of-the-tests",
        ["CallControl__LiveKitJoinTimeout"] = "00:00:05",
        ["CallControl__ReconnectDelay"] = "00:00:00.200",
        ["LiveKit__ApiUrl"] = asterisk.Url,
        ["Calls__RingTimeoutSeconds"] = ringTimeoutSeconds.ToString(),
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Asterisk is not null) await Asterisk.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AriStackCollection : ICollectionFixture<AriStackFixture>
{
    public const string Name = "stack with ARI call control";
}
