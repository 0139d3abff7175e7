using Npgsql;

namespace Neolia.DevStack;

/// <summary>
/// A PostgreSQL server of the machine's own installation, run from a data directory of ours on a loopback port.
/// PostgreSQL refuses to run as root, so as root it runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private PostgresServer(ManagedProcess process, string host, int port, string password)
    {
        _process = process;
        Host = host;
        Port = port;
        Password = password;
    }

    /// <summary>The loopback address it listens on (a standby listens on another one, on the same port).</summary>
    public string Host { get; }

    public int Port { get; }

    /// <summary>The superuser's password: password authentication (scram-sha-256), as the AppHost's local PostgreSQL.</summary>
    public string Password { get; }

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host, Port = Port, Username = "postgres", Password = Password, Database = database, IncludeErrorDetail = true,
    }.ConnectionString;

    /// <param name="fast">Trade durability for speed (tests): no fsync, no synchronous commit.</param>
    public static async Task<PostgresServer> StartAsync(string dataDirectory, int port, string logDirectory, bool fast, string password)
    {
        var bin = FindBinaries();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        Directory.CreateDirectory(dataDirectory);
        var socketDirectory = SocketDirectory(PrimaryHost, port);
        if (runAs is not null) await Chown(runAs, dataDirectory, socketDirectory);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            // initdb reads the password from a file: never on a command line, where ps shows it.
            var passwordFile = Path.Combine(socketDirectory, "initdb-password");
            PrivateFile.Write(passwordFile, password);
            if (runAs is not null) await Chown(runAs, passwordFile);
            var (initFile, initArgs) = Command(runAs, Path.Combine(bin, "initdb"),
                ["-D", dataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-instructions"]);
            await using var init = ManagedProcess.Start("initdb", initFile, initArgs, NoEnvironment, Path.Combine(logDirectory, "postgres-initdb.log"));
            await init.Exited;
            File.Delete(passwordFile);
            if (init.ExitCode != 0) throw new InvalidOperationException($"initdb failed ({init.ExitCode}):\n{init.Tail()}");
        }
        return await RunAsync("postgres", bin, runAs, dataDirectory, PrimaryHost, port, socketDirectory, logDirectory, fast, password);
    }

    /// <summary>
    /// A streaming read replica of <paramref name="primary"/> (pg_basebackup, then hot standby), on the same port at
    /// <paramref name="host"/>, another loopback address: as Asterisk's realtime lists a replica after the primary.
    /// </summary>
    public static async Task<PostgresServer> StartStandbyAsync(PostgresServer primary, string dataDirectory, string host, string logDirectory)
    {
        var bin = FindBinaries();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        Directory.CreateDirectory(dataDirectory);
        var socketDirectory = SocketDirectory(host, primary.Port);
        if (runAs is not null) await Chown(runAs, dataDirectory, socketDirectory);
        var (file, args) = Command(runAs, Path.Combine(bin, "pg_basebackup"),
            ["-h", primary.Host, "-p", primary.Port.ToString(), "-U", "postgres", "-D", dataDirectory, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"]);
        // The password through the environment, never on a command line.
        await using (var backup = ManagedProcess.Start("pg_basebackup", file, args, new Dictionary<string, string?> { ["PGPASSWORD"] = primary.Password },
            Path.Combine(logDirectory, "postgres-standby-basebackup.log")))
        {
            await backup.Exited;
            if (backup.ExitCode != 0) throw new InvalidOperationException($"pg_basebackup failed ({backup.ExitCode}):\n{backup.Tail()}");
        }
        // pg_basebackup keeps the mode of a directory that existed; PostgreSQL wants its data directory closed to others.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return await RunAsync("postgres-standby", bin, runAs, dataDirectory, host, primary.Port, socketDirectory, logDirectory, fast: true, primary.Password);
    }

    /// <summary>A PostgreSQL client program of the installation (psql, …): libpq, as Asterisk's res_config_pgsql uses it.</summary>
    public static string Client(string program) => Path.Combine(FindBinaries(), program);

    private const string PrimaryHost = "127.0.0.1";

    private static string SocketDirectory(string host, int port)
    {
        var directory = Path.Combine(Path.GetTempPath(), host == PrimaryHost ? $"neolia-pg-{port}" : $"neolia-pg-{host}-{port}");
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static async Task<PostgresServer> RunAsync(string name, string bin, string? runAs, string dataDirectory, string host, int port,
        string socketDirectory, string logDirectory, bool fast, string password)
    {
        List<string> settings = ["-D", dataDirectory, "-p", port.ToString(), "-k", socketDirectory, "-c", $"listen_addresses={host}", "-c", "max_connections=300"];
        if (fast) settings.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        var (file, args) = Command(runAs, Path.Combine(bin, "postgres"), settings);
        var process = ManagedProcess.Start(name, file, args, NoEnvironment, Path.Combine(logDirectory, $"{name}.log"));
        var server = new PostgresServer(process, host, port, password);
        await server.WaitReadyAsync();
        return server;
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.Exited;
                throw new InvalidOperationException($"PostgreSQL exited at start:\n{_process.Tail()}");
            }
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                await connection.OpenAsync();
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Debian keeps each major version in /usr/lib/postgresql/N/bin; NEOLIA_PG_BIN overrides.</summary>
    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("NEOLIA_PG_BIN") is { Length: > 0 } configured) return configured;
        var root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).ToList()
            : [];
        return candidates.FirstOrDefault() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/postgres). Run scripts/install-prerequisites.sh, or set NEOLIA_PG_BIN.");
    }

    private static readonly Dictionary<string, string?> NoEnvironment = [];

    // setpriv replaces itself with the command, so signals reach PostgreSQL directly.
    private static (string File, IEnumerable<string> Args) Command(string? user, string executable, IEnumerable<string> args) => user is null
        ? (executable, args)
        : ("setpriv", ["--reuid", user, "--regid", user, "--init-groups", "--", executable, .. args]);

    private static async Task Chown(string user, params string[] directories)
    {
        await using var chown = ManagedProcess.Start("chown", "chown", ["-R", $"{user}:{user}", .. directories], NoEnvironment,
            Path.Combine(Path.GetTempPath(), "neolia-chown.log"));
        await chown.Exited;
    }

    public async ValueTask DisposeAsync()
    {
        // SIGINT is PostgreSQL's "fast shutdown": sessions are ended, nothing is left half-written.
        await _process.StopAsync(TimeSpan.FromSeconds(15), interrupt: true);
        await _process.DisposeAsync();
    }
}
