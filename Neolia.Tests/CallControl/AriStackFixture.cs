using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>A stack of the call-control tests: as every stack, its CallApi drives door calls through <see cref="FakeAsterisk"/>'s ARI; its calls ring for 5 s.</summary>
public class AriStackFixture : StackFixture
{
    public const int RingTimeoutSeconds = 5;

    public override int RingTimeout => RingTimeoutSeconds;
}

[CollectionDefinition(Name)]
public sealed class AriStackCollection : ICollectionFixture<AriStackFixture>
{
    public const string Name = "stack with ARI call control";
}
