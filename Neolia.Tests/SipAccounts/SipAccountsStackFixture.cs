using Neolia.Tests.Infrastructure;
using Npgsql;

namespace Neolia.Tests.SipAccounts;

/// <summary>
/// A stack whose CallApi makes a database role for Asterisk (a name of its own: roles are shared by every database
/// of a server) and uses a realm other than the default, so the tests see both come from configuration.
/// </summary>
public sealed class SipAccountsStackFixture : StackFixture
{
    public const string Realm = "sip.neolia.test";
    public string AsteriskRole { get; } = "asterisk_" + Guid.NewGuid().ToString("N")[..12];
    public string AsteriskPassword { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["callapi"] = new Dictionary<string, string?>
            {
                ["Asterisk__SipRealm"] = Realm,
                ["Asterisk__Realtime__Role"] = AsteriskRole,
                ["Asterisk__Realtime__Password"] = AsteriskPassword,
            },
        };

    /// <summary>A connection as Asterisk makes it: its own role, on the stack's database.</summary>
    public NpgsqlConnection AsteriskConnection() =>
        new(new NpgsqlConnectionStringBuilder(Stack.DatabaseConnectionString) { Username = AsteriskRole, Password = AsteriskPassword, Pooling = false }.ConnectionString);

    /// <summary>A connection as CallApi's migrations make it (the stack's owner).</summary>
    public NpgsqlConnection OwnerConnection() => new(Stack.DatabaseConnectionString);
}

[CollectionDefinition(Name)]
public sealed class SipAccountsStackCollection : ICollectionFixture<SipAccountsStackFixture>
{
    public const string Name = "stack with Asterisk's database role";
}
