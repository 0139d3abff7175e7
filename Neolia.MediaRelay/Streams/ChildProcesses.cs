using System.Collections.Concurrent;
using System.Diagnostics;

namespace Neolia.MediaRelay.Streams;

/// <summary>
/// Starts the relay's ffmpeg processes so that they die with the relay: each runs under <c>setpriv --pdeathsig KILL</c>,
/// and Linux sends that signal when the thread that forked it ends. So every fork happens on this one thread, which
/// lives as long as the relay; a killed replica then leaves no orphan publishing into a room another replica took over.
/// </summary>
public sealed class ChildProcesses : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> _requests = new();
    private readonly string? _setpriv = FindOnPath("setpriv");

    public ChildProcesses(ILogger<ChildProcesses> logger)
    {
        if (_setpriv is null) logger.LogWarning("setpriv (util-linux) not found: ffmpeg processes would outlive a crashed relay");
        new Thread(Fork) { IsBackground = true, Name = "ffmpeg launcher" }.Start();
    }

    public Task<Process> StartAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(_setpriv ?? program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (_setpriv is not null)
        {
            foreach (var a in (string[])["--pdeathsig", "KILL", "--", program]) start.ArgumentList.Add(a);
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((start, started));
        return started.Task;
    }

    private void Fork()
    {
        foreach (var (start, started) in _requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start"));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);

    // The thread ends with the process; completing the queue would let it end sooner and kill every stream.
    public void Dispose() { }
}
