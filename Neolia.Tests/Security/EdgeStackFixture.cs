using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Security;

/// <summary>A stack whose gateway lets a client sign in only a few times a minute, as in production (30), but fewer.</summary>
public sealed class EdgeStackFixture : StackFixture
{
    public const int AuthRequestsPerMinute = 5;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["gateway"] = new Dictionary<string, string?> { ["Edge__AuthRequestsPerMinute"] = AuthRequestsPerMinute.ToString() },
        };
}

[CollectionDefinition(Name)]
public sealed class EdgeStackCollection : ICollectionFixture<EdgeStackFixture>
{
    public const string Name = "stack with the production sign-in limit";
}
