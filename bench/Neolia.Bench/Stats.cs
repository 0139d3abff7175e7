using System.Diagnostics;
using System.Globalization;

namespace Neolia.Bench;

public sealed record Percentiles(int Count, double? P50, double? P95, double? P99, double? Max)
{
    public static Percentiles Of(List<double> values)
    {
        if (values.Count == 0) return new(0, null, null, null, null);
        values.Sort();
        double At(double q) => values[Math.Clamp((int)Math.Ceiling(q * values.Count) - 1, 0, values.Count - 1)];
        return new(values.Count, Round(At(0.50)), Round(At(0.95)), Round(At(0.99)), Round(values[^1]));
    }

    private static string Cell(double? v) => v is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "-";

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static double Round(double v) => Math.Round(v, 2);

    public override string ToString() => $"{Cell(P50),8} {Cell(P95),8} {Cell(P99),8} {Cell(Max),9}";
}

/// <summary>Resident set size and CPU time of the stack's processes, from /proc.</summary>
public static class ProcessStats
{
    public static long RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException) { }
        return 0;
    }

    /// <summary>User + system CPU time in milliseconds.</summary>
    public static double CpuMs(int pid) => Stat(pid) is { } f ? Ticks(f, 11) + Ticks(f, 12) : 0;

    /// <summary>
    /// CPU time of a process and all its children in milliseconds: the PostgreSQL postmaster and its backends. A
    /// backend that exited is in the postmaster's cutime/cstime (once reaped), a live one in its own utime/stime.
    /// </summary>
    public static double TreeCpuMs(int pid)
    {
        if (Stat(pid) is not { } root) return 0;
        var total = Ticks(root, 11) + Ticks(root, 12) + Ticks(root, 13) + Ticks(root, 14);
        foreach (var (_, fields) in All())
        {
            if (fields[1] == root[^1]) total += Ticks(fields, 11) + Ticks(fields, 12);
        }
        return total;
    }

    /// <summary>Children of <paramref name="parent"/> whose command name is <paramref name="comm"/> (as in /proc/PID/stat).</summary>
    public static IEnumerable<int> ChildrenNamed(int parent, string comm)
    {
        var wanted = parent.ToString(CultureInfo.InvariantCulture);
        foreach (var (pid, fields) in All())
        {
            if (fields[1] == wanted && fields[^2] == comm) yield return pid;
        }
    }

    // Fields after "pid (comm) ", state first (field 0: ppid is 1, utime 11, stime 12, cutime 13, cstime 14, clock
    // ticks of 10 ms), plus comm and the pid itself appended (at [^2] and [^1]).
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            return [.. stat[(close + 2)..].Split(' '), stat[(open + 1)..close], pid.ToString(CultureInfo.InvariantCulture)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static IEnumerable<(int Pid, string[] Fields)> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Stat(pid) is { } fields) yield return (pid, fields);
        }
    }

    private static double Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture) * 10.0;

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}
