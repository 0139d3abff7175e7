using System.Diagnostics;
using System.Globalization;

namespace Neolia.Bench;

/// <summary>
/// The sockets split over child processes: one process may hold only <c>ulimit -n</c> descriptors (20,000 here).
/// A child prints what its sockets see as lines: <c>C connected failed</c>, <c>R socket callId timestamp</c> (ring),
/// <c>M socket callId timestamp</c> (missed), <c>X socket</c>; it stops when its standard input closes.
/// </summary>
public sealed class ClientWorkers : IAsyncDisposable
{
    private readonly List<(Process Process, Task Reader)> _workers = [];
    private readonly IRingSink _sink;
    private int _connected, _failed, _reported;

    private ClientWorkers(IRingSink sink) => _sink = sink;

    public int Connected => _connected;
    public int Failed => _failed;

    public static async Task<ClientWorkers> StartAsync(IRingSink sink, IReadOnlyList<Uri> gateways, IReadOnlyList<string> tokens, int processes, int concurrency, bool tokenInHeader)
    {
        var workers = new ClientWorkers(sink);
        var all = new TaskCompletionSource();
        var per = (tokens.Count + processes - 1) / processes;
        for (var p = 0; p < processes; p++)
        {
            var first = p * per;
            var slice = tokens.Skip(first).Take(per).ToList();
            if (slice.Count == 0) continue;
            var file = Path.Combine(Path.GetTempPath(), $"neolia-bench-worker-{Environment.ProcessId}-{p}.txt");
            await File.WriteAllLinesAsync(file, [string.Join(' ', gateways), first.ToString(CultureInfo.InvariantCulture), concurrency.ToString(CultureInfo.InvariantCulture), tokenInHeader ? "header" : "query", .. slice]);
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
            info.ArgumentList.Add(typeof(ClientWorkers).Assembly.Location);
            info.ArgumentList.Add("--worker");
            info.ArgumentList.Add(file);
            var process = Process.Start(info)!;
            workers._workers.Add((process, workers.ReadAsync(process, all, processes)));
        }
        await all.Task.WaitAsync(TimeSpan.FromMinutes(10));
        return workers;
    }

    private async Task ReadAsync(Process process, TaskCompletionSource all, int expected)
    {
        await Task.Yield();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "R": _sink.Ring(int.Parse(parts[1], CultureInfo.InvariantCulture), Guid.Parse(parts[2]), long.Parse(parts[3], CultureInfo.InvariantCulture)); break;
                case "M": _sink.Missed(int.Parse(parts[1], CultureInfo.InvariantCulture), Guid.Parse(parts[2]), long.Parse(parts[3], CultureInfo.InvariantCulture)); break;
                case "X": _sink.Closed(int.Parse(parts[1], CultureInfo.InvariantCulture)); break;
                case "C":
                    Interlocked.Add(ref _connected, int.Parse(parts[1], CultureInfo.InvariantCulture));
                    Interlocked.Add(ref _failed, int.Parse(parts[2], CultureInfo.InvariantCulture));
                    if (Interlocked.Increment(ref _reported) == expected) all.TrySetResult();
                    break;
                case "E": Console.Error.WriteLine("worker: " + string.Join(' ', parts.Skip(1))); break;
            }
        }
        all.TrySetException(new InvalidOperationException("A socket worker exited early."));
    }

    /// <summary>The child's side.</summary>
    public static async Task<int> RunWorkerAsync(string file)
    {
        var lines = await File.ReadAllLinesAsync(file);
        File.Delete(file);
        var gateways = lines[0].Split(' ').Select(u => new Uri(u)).ToList();
        var first = int.Parse(lines[1], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(lines[2], CultureInfo.InvariantCulture);
        var output = new LineSink();
        await using (var fleet = new SocketFleet(output))
        {
            await fleet.ConnectAsync(gateways, lines[4..], first, concurrency, tokenInHeader: lines[3] == "header");
            foreach (var error in fleet.Errors) output.Write("E " + error.ReplaceLineEndings(" "));
            output.Write($"C {fleet.Connected} {fleet.Failed}");
            await Console.In.ReadToEndAsync();
        }
        output.Flush();
        return 0;
    }

    private sealed class LineSink : IRingSink
    {
        private readonly StreamWriter _out = new(Console.OpenStandardOutput()) { AutoFlush = false };
        private readonly Timer _flush;

        public LineSink() => _flush = new Timer(_ => Flush(), null, 20, 20);

        public void Ring(int socket, Guid callId, long timestamp) => Write($"R {socket} {callId:N} {timestamp}");
        public void Missed(int socket, Guid callId, long timestamp) => Write($"M {socket} {callId:N} {timestamp}");
        public void Closed(int socket) => Write($"X {socket}");

        public void Write(string line)
        {
            lock (_out) _out.WriteLine(line);
        }

        public void Flush()
        {
            lock (_out) _out.Flush();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, reader) in _workers)
        {
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(); }
            await reader.ContinueWith(_ => { }, TaskScheduler.Default);
            process.Dispose();
        }
    }
}
