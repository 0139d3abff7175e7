using System.Diagnostics;
using Neolia.CallApi.SipAccounts;
using Neolia.CallApi.SipFallback;
using Neolia.DevStack;
using Neolia.Tests.Administration;
using Neolia.Tests.Asterisk;
using Npgsql;
using Xunit.Abstractions;

namespace Neolia.Tests.Reliability;

/// <summary>
/// PostgreSQL's primary down, a streaming read replica up: what Asterisk needs to let the door in and ring the
/// apartment is read from the replica through the connection res_config_pgsql opens. The connection is made as
/// res_config_pgsql makes it (libpq, <c>host=… port=… dbname=… user=… application_name=…</c> from the shipped
/// res_pgsql.conf, the host list printed by neolia-pgsql.sh, PGPASSWORD and PGCONNECT_TIMEOUT from the environment
/// as the AppHost sets them), with psql, which is libpq too. Asterisk itself cannot run here: the real run is in
/// docs/reliability.md.
/// </summary>
[Collection(FaultStackCollection.Name)]
public sealed class RealtimeReplicaTests(FaultStackFixture stack, ITestOutputHelper output)
{
    private const string Replica = "127.0.0.2";

    [Fact]
    public async Task With_the_primary_down_Asterisk_reads_the_doors_account_the_phones_registration_and_the_fallback_from_a_read_replica()
    {
        if (!stack.OwnsServers) { output.WriteLine("skipped: the stack shares outside servers"); return; }
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        var monitor = await stack.RegisterMonitorAsync(tenant);
        var fallbackKey = ApartmentDial.KeyOf(tenant.Slug, tenant.SiteId, tenant.ApartmentNumber);
        // The monitor's registration, written as Asterisk writes it (its role may write ps_contacts).
        var contactUri = $"sip:{monitor}@192.0.2.10:5060";
        await using (var asterisk = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(stack.Stack.DatabaseConnectionString)
                     { Username = new AsteriskDatabaseOptions().Role, Password = FaultStackFixture.RealtimePassword, Pooling = false }.ConnectionString))
        {
            await asterisk.OpenAsync();
            await using var register = new NpgsqlCommand("INSERT INTO ps_contacts (id, uri, expiration_time, endpoint) VALUES (@id, @uri, @expires, @endpoint)", asterisk);
            register.Parameters.AddWithValue("id", $"{monitor};@{Guid.NewGuid():N}");
            register.Parameters.AddWithValue("uri", contactUri);
            register.Parameters.AddWithValue("expires", DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
            register.Parameters.AddWithValue("endpoint", monitor);
            await register.ExecuteNonQueryAsync();
        }

        var primary = stack.Processes.Postgres!;
        await using var standby = await PostgresServer.StartStandbyAsync(primary,
            Path.Combine(Path.GetDirectoryName(stack.Stack.LogDirectory)!, "postgres-standby"), Replica, stack.Stack.LogDirectory);
        await using (var replica = new NpgsqlConnection(standby.ConnectionString("neolia")))
        {
            await replica.OpenAsync();
            await Neolia.Tests.CallControl.Eventually.TrueAsync(async () =>
            {
                await using var contact = new NpgsqlCommand("SELECT count(*) FROM ps_contacts WHERE endpoint = @m", replica) { Parameters = { new("m", monitor) } };
                return (long)(await contact.ExecuteScalarAsync())! == 1;
            }, what: "the registration replayed on the replica");
        }

        var conninfo = ConnInfo(primary.Port);
        await stack.StopPostgresAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            var dial = await RealtimeQueryAsync(conninfo, $"SELECT dial FROM {ApartmentDial.Table} WHERE {ApartmentDial.KeyColumn} = '{fallbackKey}'");
            Figures.Print(output, $"primary down, replica listed second: Asterisk's first realtime query answered by the replica in {clock.ElapsedMilliseconds} ms");
            Assert.Contains($"PJSIP/{monitor}", dial.Trim().Split('&'));
            Assert.Equal("1", (await RealtimeQueryAsync(conninfo, $"SELECT count(*) FROM ps_auths WHERE username = '{tenant.DoorSipUsername}'")).Trim());
            Assert.Equal(contactUri, (await RealtimeQueryAsync(conninfo, $"SELECT uri FROM ps_contacts WHERE endpoint = '{monitor}'")).Trim());
            // What the replica cannot take: a new registration (Asterisk answers the REGISTER with an error until it is back on the primary).
            var refused = await RealtimeQueryAsync(conninfo, $"DELETE FROM ps_contacts WHERE endpoint = '{monitor}'", expectFailure: true);
            Assert.Contains("read-only transaction", refused);
        }
        finally
        {
            await stack.StartPostgresAsync();
        }
    }

    /// <summary>
    /// The connection res_config_pgsql would open with the AppHost's host list (the primary, then the replica):
    /// "host=%s port=%d dbname=%s user=%s" and " application_name=%s" from res_pgsql.conf; the password from PGPASSWORD.
    /// </summary>
    private static string ConnInfo(int port)
    {
        var general = AsteriskConfigFile.Load("res_pgsql.conf").Single(s => s.Name == "general");
        var hostname = AsteriskConfigFile.Parse("[general]\n" + AsteriskScripts.Run("neolia-pgsql.sh",
            new Dictionary<string, string?> { ["NEOLIA_REALTIME_HOSTS"] = $"127.0.0.1,{Replica}" })).Single().Single("hostname");
        return $"host={hostname} port={port} dbname={general.Single("dbname")} user={general.Single("user")} application_name={general.Single("appname")}";
    }

    /// <summary>One query over <paramref name="conninfo"/>, with psql (libpq).</summary>
    private static async Task<string> RealtimeQueryAsync(string conninfo, string sql, bool expectFailure = false)
    {
        var start = new ProcessStartInfo(PostgresServer.Client("psql"), ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["PGPASSWORD"] = FaultStackFixture.RealtimePassword;
        start.Environment["PGCONNECT_TIMEOUT"] = "2"; // as the AppHost gives Asterisk
        using var psql = Process.Start(start)!;
        var stdout = psql.StandardOutput.ReadToEndAsync();
        var stderr = await psql.StandardError.ReadToEndAsync();
        await psql.WaitForExitAsync();
        if (expectFailure)
        {
            Assert.NotEqual(0, psql.ExitCode);
            return stderr;
        }
        Assert.True(psql.ExitCode == 0, $"psql failed ({psql.ExitCode}): {stderr}");
        return await stdout;
    }
}
