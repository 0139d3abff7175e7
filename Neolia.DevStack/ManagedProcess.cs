using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Neolia.DevStack;

/// <summary>
/// A child process whose output goes to a log file (and whose last lines are kept for error messages), stopped
/// gracefully with a signal and killed if it does not go.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private const int TailLines = 60;
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();

    private ManagedProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public Task Exited => _process.WaitForExitAsync();

    public static ManagedProcess Start(string name, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment, string logFile, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(name, process, log);
        process.OutputDataReceived += (_, e) => managed.Record(e.Data);
        process.ErrorDataReceived += (_, e) => managed.Record(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"Could not start {name} ({fileName}).");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Children.Add(managed);
        return managed;
    }

    private void Record(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            _log.WriteLine(line);
            _tail.Enqueue(line);
            if (_tail.Count > TailLines) _tail.Dequeue();
        }
    }

    /// <summary>The last lines the process printed, for an error message that says why it failed.</summary>
    public string Tail()
    {
        lock (_tail) return string.Join(Environment.NewLine, _tail);
    }

    /// <summary>Asks the process to stop (SIGTERM, or SIGINT where that means "fast shutdown") and kills it after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace, bool interrupt = false)
    {
        if (!_process.HasExited)
        {
            _ = Signal(_process.Id, interrupt ? SigInt : SigTerm);
            using var timeout = new CancellationTokenSource(grace);
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { Kill(); }
        }
        await _process.WaitForExitAsync();
    }

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        Children.Remove(this);
        lock (_tail) _log.Dispose();
        _process.Dispose();
    }

    private const int SigInt = 2;
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    // Children die with us even when the host is stopped abruptly (Ctrl+C, test runner exit).
    private static readonly ChildSet Children = new();

    private sealed class ChildSet
    {
        private readonly HashSet<ManagedProcess> _set = [];

        public ChildSet() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            ManagedProcess[] all;
            lock (_set) all = [.. _set];
            foreach (var child in all) child.Kill();
        };

        public void Add(ManagedProcess p) { lock (_set) _set.Add(p); }
        public void Remove(ManagedProcess p) { lock (_set) _set.Remove(p); }
    }
}
