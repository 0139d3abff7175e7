using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Neolia.Tests.LiveKit;

/// <summary>
/// The official LiveKit server SDK (npm <c>livekit-server-sdk</c>, pinned in <c>oracle/package.json</c>), run through
/// the small scripts in <c>oracle/</c>: one JSON request on stdin, one JSON answer on stdout.
/// </summary>
internal static class Oracle
{
    public const string InstallCommand = "npm ci --prefix Neolia.Tests/LiveKit/oracle";

    private static readonly Lazy<(string Node, string Directory)> Setup = new(Locate);

    public static async Task<JsonNode> RunAsync(string script, object request)
    {
        var (node, directory) = Setup.Value;
        var start = new ProcessStartInfo(node, [Path.Combine(directory, script)])
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(request));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"oracle {script} exited {process.ExitCode}: {await stderr}");
        return JsonNode.Parse(await stdout) ?? throw new InvalidOperationException($"oracle {script} answered nothing");
    }

    /// <summary>The payload of a JWT, decoded without any check.</summary>
    public static JsonObject Payload(string jwt) => Segment(jwt, 1);

    public static JsonObject Header(string jwt) => Segment(jwt, 0);

    private static JsonObject Segment(string jwt, int index) =>
        JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[index]))!.AsObject();

    /// <summary>A fresh API key and a secret of 48 characters (LiveKit wants at least 32): nothing is committed.</summary>
    public static (string Key, string Secret) NewCredentials() =>
        ($"API{RandomNumberGenerator.GetHexString(12)}", RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 48));

    public static string Sha256Base64(string body) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private static (string, string) Locate()
    {
        var directory = FindOracleDirectory()
            ?? throw new InvalidOperationException("Neolia.Tests/LiveKit/oracle was not found above " + AppContext.BaseDirectory);
        var node = FindOnPath("node")
            ?? throw new InvalidOperationException("node is not on PATH: the LiveKit contract tests run the official SDK with node (20+).");
        if (!File.Exists(Path.Combine(directory, "node_modules", "livekit-server-sdk", "package.json")))
        {
            throw new InvalidOperationException(
                $"The official LiveKit SDK is not installed in {directory}. Run the test command (scripts/test.sh), which runs `{InstallCommand}` from the repository root.");
        }
        return (node, directory);
    }

    private static string? FindOracleDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Neolia.Tests", "LiveKit", "oracle");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        return null;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, name))
            .FirstOrDefault(File.Exists);
}
