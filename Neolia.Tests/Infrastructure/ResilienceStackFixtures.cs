namespace Neolia.Tests.Infrastructure;

/// <summary>
/// A stack whose calls ring out after 5 s (the validated minimum, so the timeout test waits seconds, not half a
/// minute) and whose Notifier pings every second and drops a socket that leaves a ping unanswered for 2 s.
/// </summary>
public sealed class ShortRingStackFixture : StackFixture
{
    /// <summary>Its tests stop, kill or restart parts of the stack: DevStack's processes, not the AppHost.</summary>
    protected override bool RunsOnAppHost => false;

    public const int RingTimeoutSeconds = 5;

    public override int RingTimeout => RingTimeoutSeconds;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["notifier"] = new Dictionary<string, string?>
            {
                ["Sockets__KeepAliveInterval"] = "00:00:01",
                ["Sockets__KeepAliveTimeout"] = "00:00:02",
            },
        };
}

[CollectionDefinition(Name)]
public sealed class ShortRingStackCollection : ICollectionFixture<ShortRingStackFixture>
{
    public const string Name = "stack with a short ring timeout";
}

/// <summary>
/// A stack whose Notifier queues only 4 messages per socket, so a client that stops reading is dropped soon, and sends
/// its default keep-alive (an unsolicited pong) every second instead of every 30 s.
/// </summary>
public sealed class SlowClientStackFixture : StackFixture
{
    public const int SendQueueCapacity = 4;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["notifier"] = new Dictionary<string, string?>
            {
                ["Sockets__SendQueueCapacity"] = SendQueueCapacity.ToString(),
                ["Sockets__KeepAliveInterval"] = "00:00:01",
            },
        };
}

[CollectionDefinition(Name)]
public sealed class SlowClientStackCollection : ICollectionFixture<SlowClientStackFixture>
{
    public const string Name = "stack with small socket queues";
}
