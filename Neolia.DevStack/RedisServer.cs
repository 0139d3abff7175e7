using System.Net.Sockets;
using System.Text;

namespace Neolia.DevStack;

/// <summary>A throw-away Redis (no persistence) on a loopback port; it can be restarted on the same port.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _logDirectory;
    private ManagedProcess _process;

    private RedisServer(ManagedProcess process, int port, string logDirectory, string password)
    {
        _process = process;
        Port = port;
        _logDirectory = logDirectory;
        Password = password;
    }

    public int Port { get; }

    /// <summary>Its <c>requirepass</c>, as the AppHost's local Redis has one.</summary>
    public string Password { get; }

    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    /// <summary>The server's process, for tests that pause it (SIGSTOP: connections stay open, nothing answers).</summary>
    public int ProcessId => _process.Id;

    public static async Task<RedisServer> StartAsync(int port, string logDirectory, string password)
    {
        var server = new RedisServer(Launch(port, logDirectory, password), port, logDirectory, password);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Stops Redis and starts it again, empty, on the same port (what a crash and restart looks like).</summary>
    public async Task RestartAsync(TimeSpan downtime = default)
    {
        await StopAsync();
        if (downtime > TimeSpan.Zero) await Task.Delay(downtime);
        await StartAgainAsync();
    }

    /// <summary>Stops Redis until <see cref="StartAgainAsync"/>: for a test that acts while it is down.</summary>
    public async Task StopAsync() => await _process.DisposeAsync();

    /// <summary>Starts Redis again, empty, on the same port, after <see cref="StopAsync"/>.</summary>
    public async Task StartAgainAsync()
    {
        _process = Launch(Port, _logDirectory, Password);
        await WaitReadyAsync();
    }

    private static ManagedProcess Launch(int port, string logDirectory, string password)
    {
        // The password in a file only we can read, named on the command line: never the password itself, which ps shows.
        var config = Path.Combine(logDirectory, $"redis-{port}.conf");
        PrivateFile.Write(config, $"requirepass \"{password}\"\n");
        var executable = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed. Run scripts/install-prerequisites.sh.");
        return ManagedProcess.Start("redis", executable,
            [config, "--bind", "127.0.0.1", "--port", port.ToString(), "--save", "", "--appendonly", "no", "--daemonize", "no", "--maxclients", "20000"],
            new Dictionary<string, string?>(), Path.Combine(logDirectory, "redis.log"));
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.Exited;
                throw new InvalidOperationException($"Redis exited at start:\n{_process.Tail()}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                // Without AUTH it answers NOAUTH: it is up, and it wants the password.
                if (Encoding.ASCII.GetString(buffer, 0, read) is var reply && (reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal))) return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"Redis did not answer on port {Port}:\n{_process.Tail()}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();
}
