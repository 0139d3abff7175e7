using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.SipAccounts;
using Neolia.CallApi.SipFallback;
using Neolia.Tests.Asterisk;

namespace Neolia.Tests.SipAccounts;

/// <summary>
/// containers/asterisk's realtime configuration (sorcery.conf, extconfig.conf, res_pgsql.conf) and CallApi's schema
/// are one contract: Asterisk looks up exactly the tables the migrations create, as the role CallApi grants them to.
/// </summary>
public sealed class RealtimeConfigContractTests
{
    /// <summary>res_pjsip object type → the realtime family (table) it must be read from.</summary>
    private static readonly Dictionary<string, string> Families = new()
    {
        ["endpoint"] = "ps_endpoints", ["aor"] = "ps_aors", ["auth"] = "ps_auths", ["contact"] = "ps_contacts",
    };

    /// <summary>Every realtime family Asterisk reads: the accounts, and the dialplan's fallback lists (REALTIME_FIELD).</summary>
    private static readonly string[] AllFamilies = [.. Families.Values, ApartmentDial.Table];

    private static readonly Microsoft.EntityFrameworkCore.Metadata.IModel Model = new NeoliaDbDesignTimeFactory().CreateDbContext([]).Model;

    private static IEnumerable<string> RealtimeTables() => Model.GetEntityTypes().Select(e => e.GetTableName()!).Where(t => t.StartsWith("ps_", StringComparison.Ordinal));

    [Fact]
    public void Sorcery_reads_every_account_object_from_its_table_after_pjsip_conf()
    {
        var pjsip = AsteriskConfigFile.Load("sorcery.conf").Single(s => s.Name == "res_pjsip");

        Assert.Equal(Families.Keys.Order(StringComparer.Ordinal), pjsip.Values.Keys.Order(StringComparer.Ordinal));
        foreach (var (type, table) in Families)
        {
            var wizards = pjsip.Values[type];
            Assert.Equal($"realtime,{table}", wizards[^1]);
            // Registrations exist only in the database; accounts may also be written in pjsip.conf (looked up first).
            if (type == "contact") Assert.Single(wizards);
            else Assert.Equal($"config,pjsip.conf,criteria=type={type}", Assert.Single(wizards[..^1]));
        }
    }

    [Fact]
    public void Extconfig_maps_each_family_to_the_table_of_the_same_name_in_PostgreSQL()
    {
        var settings = AsteriskConfigFile.Load("extconfig.conf").Single(s => s.Name == "settings");

        Assert.Equal(AllFamilies.Order(StringComparer.Ordinal), settings.Values.Keys.Order(StringComparer.Ordinal));
        foreach (var (family, values) in settings.Values)
        {
            var parts = Assert.Single(values).Split(',');
            Assert.Equal("pgsql", parts[0]);
            Assert.Equal(family, parts[2]);
        }
    }

    [Fact]
    public void The_tables_Asterisk_uses_are_exactly_those_the_migrations_create_and_the_role_is_granted()
    {
        Assert.Equal(Families.Values.Order(StringComparer.Ordinal), RealtimeTables().Order(StringComparer.Ordinal));
        Assert.Contains(ApartmentDial.Table, Model.GetEntityTypes().Select(e => e.GetTableName()));
        Assert.Equal(AllFamilies.Order(StringComparer.Ordinal),
            AsteriskDatabaseRole.ReadTables.Append(AsteriskDatabaseRole.ContactsTable).Order(StringComparer.Ordinal));
        Assert.Equal(["ps_contacts"], [AsteriskDatabaseRole.ContactsTable]);
    }

    [Fact]
    public void Asterisk_connects_as_the_role_CallApi_creates_to_CallApis_database_with_the_password_from_the_environment()
    {
        var general = AsteriskConfigFile.Load("res_pgsql.conf").Single(s => s.Name == "general");

        Assert.Equal(new AsteriskDatabaseOptions().Role, general.Single("user"));
        // The connection string CallApi reads is ConnectionStrings:neolia, the AppHost's database resource "neolia".
        Assert.Equal("neolia", general.Single("dbname"));
        Assert.Equal("", general.Single("password"));
        Assert.Equal("warn", general.Single("requirements"));
        // hostname is printed from the environment, so the AppHost can list read replicas after the primary.
        Assert.False(general.Values.ContainsKey("hostname"));
        Assert.Contains("#exec /bin/sh /etc/asterisk/neolia-pgsql.sh", AsteriskConfigFile.Directives(RepositoryFiles.Read("containers", "asterisk", "res_pgsql.conf"))["general"]);
    }

    [Theory]
    [InlineData(null, "postgres")] // the AppHost's database service
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("db-primary.internal,db-replica-1.internal", "db-primary.internal,db-replica-1.internal")]
    [InlineData("postgres;host=evil", "postgres")] // no other libpq keyword can ride along
    [InlineData("a b", "postgres")]
    [InlineData("primary,,replica", "postgres")]
    public void Asterisk_reads_from_the_hosts_of_NEOLIA_REALTIME_HOSTS_in_order(string? hosts, string expected)
    {
        var printed = AsteriskConfigFile.Parse("[general]\n" + AsteriskScripts.Run("neolia-pgsql.sh", new Dictionary<string, string?> { ["NEOLIA_REALTIME_HOSTS"] = hosts }));
        Assert.Equal(expected, printed.Single().Single("hostname"));
    }

    [Fact]
    public void The_realtime_modules_are_loaded_in_their_own_block_at_the_end_of_modules_conf()
    {
        var text = RepositoryFiles.Read("containers", "asterisk", "modules.conf");
        var block = text[text.IndexOf("; --- realtime (issue 12) ---", StringComparison.Ordinal)..];
        var modules = AsteriskConfigFile.Parse("[modules]\n" + block).Single().Values;

        Assert.Equal("res_config_pgsql.so", modules["preload"].Single());
        Assert.Contains("res_sorcery_realtime.so", modules["load"]);
        Assert.EndsWith("; --- end realtime (issue 12) ---", text.TrimEnd());
    }
}
