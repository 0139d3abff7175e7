using System.Globalization;

namespace Neolia.Tests.Infrastructure;

/// <summary>The established TCP connections a process holds, read from Linux's /proc (its fds, then /proc/net/tcp).</summary>
public static class ProcessConnections
{
    /// <summary>How many connections the process has open to the given local port (its side is the client).</summary>
    public static int To(int processId, int remotePort)
    {
        var inodes = Directory.EnumerateFiles($"/proc/{processId}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target![8..^1])
            .ToHashSet();
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists)
            .SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            // fields: sl local rem st tx:rx tr:when retrnsmt uid timeout inode; state 01 is ESTABLISHED
            .Count(f => f[3] == "01" && PortOf(f[2]) == remotePort && inodes.Contains(f[9]));
    }

    private static int PortOf(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..], NumberStyles.HexNumber);
}
