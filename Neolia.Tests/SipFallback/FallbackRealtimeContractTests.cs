using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.SipFallback;
using Neolia.Tests.Administration;
using Neolia.Tests.Asterisk;
using Neolia.Tests.SipAccounts;
using Npgsql;
using static Neolia.Tests.SipAccounts.RealtimeRows;

namespace Neolia.Tests.SipFallback;

/// <summary>
/// The dialplan's fallback read (extensions.conf's REALTIME_FIELD), extconfig.conf's family and the table as Asterisk's
/// role sees it are one contract: followed step by step as Asterisk does it, a door of a tenant built through the API
/// finds its apartment's list.
/// </summary>
[Collection(SipAccountsStackCollection.Name)]
public sealed class FallbackRealtimeContractTests(SipAccountsStackFixture stack)
{
    [Fact]
    public async Task The_dialplans_lookup_finds_the_apartments_list_through_extconfig_as_Asterisks_role_reads_it()
    {
        var lookup = FallbackLookup.OfDialplan();
        var mapping = AsteriskConfigFile.Load("extconfig.conf").Single(s => s.Name == "settings").Single(lookup.Family).Split(',');
        Assert.Equal("pgsql", mapping[0]);
        var table = mapping[2];
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);

        await using var asterisk = stack.AsteriskConnection();
        await asterisk.OpenAsync();
        // information_schema shows a role only the columns it may read.
        var columns = await ColumnsAsync(asterisk, table);
        Assert.Contains(lookup.KeyColumn, columns);
        Assert.Contains(lookup.Column, columns);

        // The door's channel variables as res_config_pgsql hands set_var to res_pjsip: one per ';'-separated chunk.
        var door = (await RowAsync(asterisk, "ps_endpoints", tenant.DoorSipUsername))!;
        var variables = door["set_var"]!.Split(';').Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);
        var key = lookup.KeyFor(variables["NEOLIA_TENANT"], variables[ApartmentDial.SiteVariable], tenant.ApartmentNumber);

        // REALTIME_FIELD: SELECT * … WHERE <key column> = '<key>', first row, the column named (any case).
        var row = Assert.Single(await RowsAsync(asterisk, table, lookup.KeyColumn, key));
        var dial = row.Single(c => string.Equals(c.Key, lookup.Column, StringComparison.OrdinalIgnoreCase)).Value!;
        string monitor, softphone;
        await using (var scope = stack.DataScope(out var db))
        {
            db.TenantScope = Neolia.CallApi.Data.TenantScope.All;
            monitor = await db.Devices.Where(d => d.Id == tenant.MonitorId).Select(d => d.SipUsername).SingleAsync();
            softphone = await db.Users.Where(u => u.Id == tenant.ResidentId).Select(u => u.SipUsername!).SingleAsync();
        }
        Assert.Equal([$"PJSIP/{monitor}", $"PJSIP/{softphone}"], dial.Split('&'));
        // res_config_pgsql would cut a value at ';' and decode '^' escapes: a dial string has neither.
        Assert.DoesNotContain(';', dial);
        Assert.DoesNotContain('^', dial);
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string table)
    {
        await using var command = new NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table", connection);
        command.Parameters.AddWithValue("table", table);
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        return columns;
    }
}
