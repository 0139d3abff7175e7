using Npgsql;

namespace Neolia.Tests.SipAccounts;

/// <summary>Reads Asterisk's realtime tables the way res_config_pgsql does: <c>SELECT *</c>, every value as text.</summary>
public static class RealtimeRows
{
    public static async Task<Dictionary<string, string?>?> RowAsync(NpgsqlConnection connection, string table, string id)
    {
        var rows = await RowsAsync(connection, table, "id", id);
        return rows.Count == 0 ? null : Assert.Single(rows);
    }

    public static async Task<List<Dictionary<string, string?>>> RowsAsync(NpgsqlConnection connection, string table, string column, string value)
    {
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        // Table and column names are the tests' own constants, never input.
        await using var command = new NpgsqlCommand($"SELECT * FROM {table} WHERE {column} = @value", connection);
        command.Parameters.AddWithValue("value", value);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, string?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, string?>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
            }
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Every non-null column of a row, for comparing a whole row with what it must be.</summary>
    public static Dictionary<string, string> Set(Dictionary<string, string?> row) =>
        row.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);

    /// <summary>
    /// Inserts a registration exactly as Asterisk 22 does on REGISTER: res_config_pgsql's store names every field of
    /// the contact object and sends each value as a quoted literal, through the given connection.
    /// </summary>
    /// <param name="regServer">The system name of the Asterisk that took the REGISTER (empty when it has none).</param>
    public static async Task RegisterAsync(NpgsqlConnection connection, string endpoint, string viaAddr, long expiresAtUnix, string userAgent = "Akuvox E12W 12.30.10.53", string regServer = "")
    {
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        var fields = new (string Column, string Value)[]
        {
            ("id", $"{endpoint};@{Guid.NewGuid():N}"), ("uri", $"sip:{endpoint}@{viaAddr}:5060"), ("path", ""),
            ("expiration_time", expiresAtUnix.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("qualify_frequency", "30"), ("qualify_timeout", "3.000000"), ("qualify_2xx_only", "no"), ("authenticate_qualify", "no"),
            ("outbound_proxy", ""), ("user_agent", userAgent), ("endpoint", endpoint), ("reg_server", regServer), ("via_addr", viaAddr),
            ("via_port", "5060"), ("call_id", Guid.NewGuid().ToString()), ("prune_on_boot", "no"),
        };
        var sql = $"INSERT INTO ps_contacts ({string.Join(", ", fields.Select(f => f.Column))}) VALUES ({string.Join(", ", fields.Select(f => Literal(f.Value)))})";
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
