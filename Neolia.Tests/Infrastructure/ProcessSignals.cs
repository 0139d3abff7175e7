using System.Runtime.InteropServices;

namespace Neolia.Tests.Infrastructure;

/// <summary>Hangs and resumes a process as a long GC pause, a deadlock or a saturated machine looks from outside.</summary>
public static class ProcessSignals
{
    private const int SigStop = 19, SigCont = 18;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>SIGSTOP: its sockets stay open, nothing answers.</summary>
    public static void Stop(int pid) => kill(pid, SigStop);

    public static void Continue(int pid) => kill(pid, SigCont);
}
