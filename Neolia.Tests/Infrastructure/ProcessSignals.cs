using System.Runtime.InteropServices;

namespace Neolia.Tests.Infrastructure;

/// <summary>Hangs and resumes a process as a long GC pause, a deadlock or a saturated machine looks from outside.</summary>
public static class ProcessSignals
{
    private const int SigStop = 19, SigCont = 18;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>
    /// SIGSTOP: its sockets stay open, nothing answers. Returns once every thread of it is stopped: kill() only queues
    /// the signal, and a test that goes on before the stop took effect may see the process act (two CI runs saw a
    /// replica claim a call after its SIGSTOP had been sent).
    /// </summary>
    public static void Stop(int pid)
    {
        if (kill(pid, SigStop) != 0) throw new InvalidOperationException($"SIGSTOP to {pid} failed: errno {Marshal.GetLastPInvokeError()}");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!AllThreadsStopped(pid))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Process {pid} was sent SIGSTOP but not every thread of it stopped within 5 s: {ThreadStates(pid)}");
            Thread.Sleep(1);
        }
    }

    public static void Continue(int pid)
    {
        if (kill(pid, SigCont) != 0) throw new InvalidOperationException($"SIGCONT to {pid} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The state letter of each thread (<c>/proc/&lt;pid&gt;/task/*/stat</c>, the field after the command's closing parenthesis).</summary>
    private static IReadOnlyList<char> States(int pid)
    {
        var states = new List<char>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                states.Add(stat[(stat.LastIndexOf(')') + 2)]);
            }
            catch (IOException) { } // a thread that ended meanwhile
        }
        return states;
    }

    private static bool AllThreadsStopped(int pid) => States(pid) is { Count: > 0 } states && states.All(s => s is 'T' or 't');

    private static string ThreadStates(int pid) => string.Join(", ", States(pid).GroupBy(s => s).Select(g => $"{g.Count()}×{g.Key}"));
}
