using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Npgsql;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// Creates (or updates) Asterisk's database role after the migrations ran: login with the configured password,
/// SELECT on the account tables, read and write on <c>ps_contacts</c> (Asterisk stores registrations there). Every
/// other table stays out of its reach (PostgreSQL grants nothing on tables by default).
/// </summary>
internal sealed class AsteriskDatabaseRole(IServiceProvider services, IOptions<AsteriskDatabaseOptions> options, ILogger<AsteriskDatabaseRole> logger) : IHostedService
{
    /// <summary>The tables Asterisk reads (sorcery.conf / extconfig.conf): the accounts, and the dialplan's fallback lists.</summary>
    public static readonly string[] ReadTables = ["ps_endpoints", "ps_auths", "ps_aors", SipFallback.ApartmentDial.Table];

    /// <summary>The table Asterisk writes.</summary>
    public const string ContactsTable = "ps_contacts";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Password is null)
        {
            logger.LogInformation("Asterisk:Realtime:Password is not set: no database role for Asterisk was created or changed");
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IDbContextFactory<NeoliaDb>>().CreateDbContext();
        await using var _ = db;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);

        // The password never appears in a statement (statements end up in traces): only its SCRAM verifier does.
        var verifier = ScramSha256Verifier(settings.Password);
        var role = settings.Role;
        string[] statements =
        [
            await FormatAsync(connection, "SELECT format('CREATE ROLE %I LOGIN', @role) WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @role)", role, null, cancellationToken),
            await FormatAsync(connection, "SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', @role, @verifier)", role, verifier, cancellationToken),
            await FormatAsync(connection, "SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), @role)", role, null, cancellationToken),
            await FormatAsync(connection, "SELECT format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), @role)", role, null, cancellationToken),
            await FormatAsync(connection, $"SELECT format('GRANT SELECT ON {string.Join(", ", ReadTables)} TO %I', @role)", role, null, cancellationToken),
            await FormatAsync(connection, $"SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON {ContactsTable} TO %I', @role)", role, null, cancellationToken),
        ];
        foreach (var statement in statements.Where(s => s.Length > 0))
        {
            try
            {
                await using var command = new NpgsqlCommand(statement, connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation || e.SqlState == PostgresErrorCodes.DuplicateObject)
            {
                // Another replica created the role at the same moment: the ALTER below makes it ours.
            }
        }
        logger.LogInformation("Database role {Role} for Asterisk: reads {Tables}, writes {Contacts}", role, string.Join(", ", ReadTables), ContactsTable);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<string> FormatAsync(NpgsqlConnection connection, string sql, string role, string? verifier, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("role", role);
        if (verifier is not null) command.Parameters.AddWithValue("verifier", verifier);
        return await command.ExecuteScalarAsync(ct) as string ?? "";
    }

    /// <summary>
    /// What PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802/7677):
    /// <c>SCRAM-SHA-256$iterations:salt$StoredKey:ServerKey</c>. PostgreSQL accepts it in place of the password.
    /// </summary>
    internal static string ScramSha256Verifier(string password, int iterations = 4096)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
