using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Neolia.AppHost.LocalInfrastructure;

/// <summary>PostgreSQL of the machine's own installation, run by DCP as an executable (no container runtime needed).</summary>
public sealed class LocalPostgresServerResource(string name, string command, string workingDirectory, ParameterResource password, int port)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public ParameterResource PasswordParameter { get; } = password;
    public int Port { get; } = port;
    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    // The same shape as Aspire's PostgresServerResource, so services cannot tell the two modes apart.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={PasswordParameter}");
}

/// <summary>A database on <see cref="LocalPostgresServerResource"/>, created when the server is ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;
    public string DatabaseName => Name;
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class LocalPostgresBuilderExtensions
{
    /// <summary>
    /// Runs <c>initdb</c> once (as the <c>postgres</c> user when the AppHost runs as root: PostgreSQL refuses root),
    /// then the server on a loopback port with password authentication; data in <paramref name="dataDirectory"/>.
    /// </summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(this IDistributedApplicationBuilder builder,
        string name, IResourceBuilder<ParameterResource> password, string dataDirectory, bool fast)
    {
        var bin = FindBinaries(builder.Configuration);
        var port = builder.Configuration.GetValue("Neolia:Local:PostgresPort", 0) is > 0 and var configured ? configured : FreePort.Next();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        // As root, initdb and the server run as postgres: it must be able to walk down to the data directory, or
        // initdb fails with nothing on the console but a resource that exited (a clone under /root, mode 700).
        if (runAs is not null && FirstDirectoryClosedToOthers(dataDirectory) is { } closed)
        {
            throw new InvalidOperationException(
                $"PostgreSQL runs as the '{runAs}' user, which cannot enter {closed} (no execute permission for others), on the way to its data " +
                $"directory {dataDirectory}. Either `chmod o+x {closed}`, or keep the local state elsewhere: " +
                "Neolia__Local__StateDirectory=/var/tmp/neolia scripts/run.sh");
        }
        var passwordFile = Path.Combine(Path.GetDirectoryName(dataDirectory)!, $".{name}-initdb-password");

        // initdb refuses a non-empty directory, so it runs only when there is no cluster yet.
        var init = builder.AddResource(new ExecutableResource($"{name}-init", "sh", builder.AppHostDirectory))
            .WithArgs("-c", "test -f \"$PGDATA/PG_VERSION\" || exec " + AsUser(runAs,
                $"'{bin}/initdb' -D \"$PGDATA\" -U postgres --auth=scram-sha-256 --pwfile='{passwordFile}' -E UTF8 --no-instructions"))
            .WithEnvironment("PGDATA", dataDirectory)
            .ExcludeFromManifest();

        List<string> settings = ["-D", dataDirectory, "-p", port.ToString(), "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=", "-c", $"max_connections={MaxConnections}"];
        if (fast) settings.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        var (command, args) = ServerCommand(bin, runAs, settings);

        var server = new LocalPostgresServerResource(name, command, builder.AppHostDirectory, password.Resource, port);

        // Before initdb: the data directory (owned by the server's user) and initdb's password file.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(init.Resource, async (_, ct) =>
        {
            Directory.CreateDirectory(dataDirectory);
            if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            {
                var value = await password.Resource.GetValueAsync(ct) ?? throw new InvalidOperationException($"Parameter {password.Resource.Name} has no value.");
                await File.WriteAllTextAsync(passwordFile, value, ct);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            if (runAs is not null) await Chown(runAs, dataDirectory, passwordFile);
        });

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
            connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, async (e, ct) =>
        {
            File.Delete(passwordFile);
            await CreateDatabasesAsync(builder, server, connectionString!, ct);
            // DCP gives state to executables only; a database runs when its server is ready and its database exists.
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
            {
                await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
            }
        });

        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => (connectionString ?? throw new InvalidOperationException("PostgreSQL's connection string is not known yet.")) + ";Database=postgres", name: healthCheck);

        return builder.AddResource(server)
            .WithArgs([.. args])
            .WithEndpoint(port: port, targetPort: port, name: "tcp", scheme: "tcp", isProxied: false)
            .WithIconName("DatabaseMultiple")
            .WaitForCompletion(init)
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// A streaming read replica of <paramref name="primary"/> (<c>Neolia:Local:PostgresReplica</c>): on the primary's port
    /// at <paramref name="host"/>, another loopback address, as Asterisk's realtime hostname lists replicas (same port).
    /// Made again from the primary at every start (<c>pg_basebackup</c>, a second for a development database), so it
    /// can never follow another cluster than the primary's (after <c>scripts/run.sh --reset</c>, say).
    /// </summary>
    public static IResourceBuilder<ExecutableResource> AddLocalPostgresReplica(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<LocalPostgresServerResource> primary, IResourceBuilder<ParameterResource> password, string dataDirectory, string host)
    {
        var bin = FindBinaries(builder.Configuration);
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        var port = primary.Resource.Port;
        var init = builder.AddResource(new ExecutableResource($"{name}-init", "sh", builder.AppHostDirectory))
            .WithArgs("-c", "exec " + AsUser(runAs,
                $"'{bin}/pg_basebackup' -h 127.0.0.1 -p {port} -U postgres -D \"$PGDATA\" -R -X stream --checkpoint=fast --no-sync"))
            .WithEnvironment("PGDATA", dataDirectory)
            .WithEnvironment("PGPASSWORD", password) // never on a command line
            .WaitFor(primary)
            .ExcludeFromManifest();
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(init.Resource, async (_, _) =>
        {
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
            Directory.CreateDirectory(dataDirectory);
            // PostgreSQL wants its data directory closed to others; pg_basebackup keeps the mode of one that exists.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (runAs is not null) await Chown(runAs, dataDirectory);
        });

        // A replica recovers only with max_connections at least the primary's.
        List<string> settings = ["-D", dataDirectory, "-p", port.ToString(), "-c", $"listen_addresses={host}", "-c", "unix_socket_directories=", "-c", $"max_connections={MaxConnections}"];
        var (command, args) = ServerCommand(bin, runAs, settings);
        string? connectionString = null;
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(_ => connectionString ?? throw new InvalidOperationException("The replica's password is not known yet."), name: healthCheck);
        var replica = builder.AddExecutable(name, command, builder.AppHostDirectory, [.. args])
            .WithIconName("DatabaseMultiple")
            .WaitForCompletion(init)
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(replica.Resource, async (_, ct) =>
            connectionString = $"Host={host};Port={port};Username=postgres;Password={await password.Resource.GetValueAsync(ct)};Database=postgres");
        return replica;
    }

    /// <summary>
    /// The first existing directory on the way to <paramref name="path"/> that users other than its owner cannot enter.
    /// <paramref name="path"/> itself is not on the way: once initdb made it, it is the server's own (mode 0700, as
    /// PostgreSQL requires), and a second start must not refuse it.
    /// </summary>
    public static string? FirstDirectoryClosedToOthers(string path)
    {
        if (OperatingSystem.IsWindows()) return null;
        var directories = new List<string>();
        for (var dir = new DirectoryInfo(Path.GetFullPath(path)).Parent; dir is not null; dir = dir.Parent) directories.Insert(0, dir.FullName);
        foreach (var directory in directories)
        {
            if (Directory.Exists(directory) && !File.GetUnixFileMode(directory).HasFlag(UnixFileMode.OtherExecute)) return directory;
        }
        return null;
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresServerResource> server, string name)
    {
        var database = new LocalPostgresDatabaseResource(name, server.Resource);
        string? connectionString = null;
        server.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct));
        var healthCheck = $"{name}_check";
        server.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(_ => connectionString ?? throw new InvalidOperationException("The database's connection string is not known yet."), name: healthCheck);
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot { ResourceType = "PostgresDatabase", State = KnownResourceStates.Waiting, Properties = [] })
            .WithIconName("Database")
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }

    private static async Task CreateDatabasesAsync(IDistributedApplicationBuilder builder, LocalPostgresServerResource server, string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres");
        await connection.OpenAsync(ct);
        foreach (var database in builder.Resources.OfType<LocalPostgresDatabaseResource>().Where(d => d.Parent == server))
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database.DatabaseName } } };
            if (await exists.ExecuteScalarAsync(ct) is not null) continue;
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The primary's and the replica's: a replica refuses to recover with fewer than its primary.</summary>
    private const int MaxConnections = 300;

    /// <summary>The server, as <paramref name="runAs"/> when the AppHost runs as root (PostgreSQL refuses root).</summary>
    private static (string Command, List<string> Args) ServerCommand(string bin, string? runAs, List<string> settings) => runAs is null
        ? ($"{bin}/postgres", settings)
        : ("setpriv", ["--reuid", runAs, "--regid", runAs, "--init-groups", "--", $"{bin}/postgres", .. settings]);

    private static string AsUser(string? user, string command) => user is null
        ? command
        : $"setpriv --reuid {user} --regid {user} --init-groups -- {command}";

    private static async Task Chown(string user, params string[] paths)
    {
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", $"{user}:{user}", .. paths.Where(p => File.Exists(p) || Directory.Exists(p))]);
        await chown.WaitForExitAsync();
    }

    private static string FindBinaries(IConfiguration configuration)
    {
        if (configuration["Neolia:Local:PostgresBin"] is { Length: > 0 } configured) return configured;
        var found = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "postgres"))).Order().LastOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/postgres): run scripts/install-prerequisites.sh, or set Neolia:Local:PostgresBin.");
    }
}

internal static class FreePort
{
    /// <summary>A loopback port free right now, for the servers that cannot sit behind DCP's proxy.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
