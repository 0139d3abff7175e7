using Npgsql;
using static Neolia.Tests.SipAccounts.RealtimeRows;

namespace Neolia.Tests.SipAccounts;

/// <summary>The realtime tables as CallApi's migrations create them, and what Asterisk's database role may do with them.</summary>
[Collection(SipAccountsStackCollection.Name)]
public sealed class AsteriskRoleAndSchemaTests(SipAccountsStackFixture stack)
{
    /// <summary>
    /// Asterisk 22's contact object (res_pjsip/location.c): on REGISTER it inserts every one of these fields, so the
    /// table needs all of them (types from contrib/ast-db-manage). registered_at is Neolia's, filled by PostgreSQL.
    /// </summary>
    private static readonly Dictionary<string, string> ContactColumns = new()
    {
        ["id"] = "varchar", ["uri"] = "varchar", ["path"] = "text", ["expiration_time"] = "int8", ["qualify_frequency"] = "int4",
        ["qualify_timeout"] = "float8", ["qualify_2xx_only"] = "ast_bool_values", ["authenticate_qualify"] = "ast_bool_values",
        ["outbound_proxy"] = "varchar", ["user_agent"] = "varchar", ["endpoint"] = "varchar", ["reg_server"] = "varchar",
        ["via_addr"] = "varchar", ["via_port"] = "int4", ["call_id"] = "varchar", ["prune_on_boot"] = "ast_bool_values",
        ["registered_at"] = "timestamptz",
    };

    [Fact]
    public async Task Migrations_create_the_realtime_tables_with_Asterisks_columns_and_types()
    {
        await using var db = stack.OwnerConnection();
        var columns = await ColumnsAsync(db);

        Assert.Equal(["ps_aors", "ps_auths", "ps_contacts", "ps_endpoints"], columns.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ContactColumns.OrderBy(c => c.Key), columns["ps_contacts"].OrderBy(c => c.Key));
        Assert.Equal(new Dictionary<string, string>
        {
            ["id"] = "varchar", ["auth_type"] = "pjsip_auth_type_values_v2", ["username"] = "varchar", ["realm"] = "varchar", ["md5_cred"] = "varchar",
        }.OrderBy(c => c.Key), columns["ps_auths"].OrderBy(c => c.Key));
        Assert.Equal(new Dictionary<string, string>
        {
            ["id"] = "varchar", ["max_contacts"] = "int4", ["remove_existing"] = "ast_bool_values", ["qualify_frequency"] = "int4",
            // Never set; Asterisk queries it (permanent contacts) and logs an error if it is missing.
            ["contact"] = "varchar",
        }.OrderBy(c => c.Key), columns["ps_aors"].OrderBy(c => c.Key));
        var endpoint = columns["ps_endpoints"];
        Assert.Equal("pjsip_dtmf_mode_values_v3", endpoint["dtmf_mode"]);
        Assert.Equal("pjsip_media_encryption_values", endpoint["media_encryption"]);
        foreach (var flag in new[] { "direct_media", "force_rport", "rewrite_contact", "rtp_symmetric", "webrtc", "dtls_auto_generate_cert", "send_rpid", "allow_subscribe" })
        {
            Assert.Equal("ast_bool_values", endpoint[flag]);
        }
        // mailboxes: never set; Asterisk's MWI queries it at start.
        Assert.Equal(["allow", "aors", "auth", "callerid", "context", "disallow", "id", "mailboxes", "set_var", "tenantid", "transport"],
            endpoint.Where(c => c.Value is "varchar" or "text").Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["rtp_keepalive", "rtp_timeout"], endpoint.Where(c => c.Value == "int4").Select(c => c.Key).Order(StringComparer.Ordinal));

        // Asterisk's enum types, with Asterisk's labels.
        Assert.Equal(["0", "1", "false", "no", "off", "on", "true", "yes"], await LabelsAsync(db, "ast_bool_values"));
        Assert.Equal(["auto", "auto_info", "inband", "info", "rfc4733"], await LabelsAsync(db, "pjsip_dtmf_mode_values_v3"));
        Assert.Equal(["google_oauth", "md5", "userpass"], await LabelsAsync(db, "pjsip_auth_type_values_v2"));
        Assert.Equal(["dtls", "no", "sdes"], await LabelsAsync(db, "pjsip_media_encryption_values"));
    }

    [Fact]
    public async Task Asterisks_role_reads_the_account_tables_writes_registrations_and_reaches_nothing_else()
    {
        await using var asterisk = stack.AsteriskConnection();
        await asterisk.OpenAsync();

        foreach (var table in new[] { "ps_endpoints", "ps_aors", "ps_auths", "ps_contacts" })
        {
            await ExecuteAsync(asterisk, $"SELECT * FROM {table} LIMIT 1");
        }
        await RegisterAsync(asterisk, "role-test-endpoint", "198.51.100.50", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await ExecuteAsync(asterisk, "UPDATE ps_contacts SET expiration_time = expiration_time + 60 WHERE endpoint = 'role-test-endpoint'");
        await ExecuteAsync(asterisk, "DELETE FROM ps_contacts WHERE endpoint = 'role-test-endpoint'");

        foreach (var refused in new[]
        {
            "INSERT INTO ps_endpoints (id) VALUES ('intruder')", "UPDATE ps_auths SET md5_cred = 'x'", "DELETE FROM ps_aors",
            "SELECT * FROM \"Devices\"", "SELECT * FROM \"AspNetUsers\"", "SELECT * FROM \"Calls\"", "SELECT * FROM \"Tenants\"",
            "CREATE TABLE asterisk_was_here (id int)", "TRUNCATE ps_contacts",
        })
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(asterisk, refused));
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
        }
    }

    [Fact]
    public async Task The_role_logs_in_with_a_SCRAM_verifier_and_no_more_rights_than_granted()
    {
        await using var owner = stack.OwnerConnection();
        await owner.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolpassword FROM pg_authid WHERE rolname = @role", owner);
        command.Parameters.AddWithValue("role", stack.AsteriskRole);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        Assert.True(reader.GetBoolean(0));
        Assert.False(reader.GetBoolean(1));
        Assert.False(reader.GetBoolean(2));
        Assert.False(reader.GetBoolean(3));
        var stored = reader.GetString(4);
        Assert.StartsWith("SCRAM-SHA-256$4096:", stored);
        Assert.DoesNotContain(stack.AsteriskPassword, stored);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<Dictionary<string, Dictionary<string, string>>> ColumnsAsync(NpgsqlConnection db)
    {
        await db.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name, column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name LIKE 'ps\\_%'", db);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new Dictionary<string, Dictionary<string, string>>();
        while (await reader.ReadAsync())
        {
            if (!tables.TryGetValue(reader.GetString(0), out var table)) tables[reader.GetString(0)] = table = [];
            table[reader.GetString(1)] = reader.GetString(2);
        }
        return tables;
    }

    private static async Task<List<string>> LabelsAsync(NpgsqlConnection db, string type)
    {
        await using var command = new NpgsqlCommand("SELECT enumlabel FROM pg_enum JOIN pg_type ON pg_type.oid = enumtypid WHERE typname = @type", db);
        command.Parameters.AddWithValue("type", type);
        var labels = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) labels.Add(reader.GetString(0));
        return labels.Order(StringComparer.Ordinal).ToList();
    }
}
