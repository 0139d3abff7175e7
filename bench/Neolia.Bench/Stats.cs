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
    public static double CpuMs(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state is field 0, utime field 11, stime field 12 (clock ticks, 100 per second).
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
        }
        catch (IOException) { return 0; }
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }
}
