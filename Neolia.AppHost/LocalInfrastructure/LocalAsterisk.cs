using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Neolia.AppHost.LocalInfrastructure;

/// <summary>
/// Asterisk as a local executable, for a machine that has one installed (infrastructure mode <c>local</c>). It runs
/// the repository's <c>containers/asterisk</c> configuration, copied into the state directory with what a container
/// would get from its mounts and network: the directories of this installation, the local PostgreSQL's address for
/// the realtime SIP accounts, and the SIP and HTTP ports of this stack.
/// </summary>
public static class LocalAsteriskBuilderExtensions
{
    /// <summary>The installed <c>asterisk</c> (<c>Neolia:Local:Asterisk</c>, else the PATH), or null when there is none.</summary>
    public static string? FindAsterisk(IConfiguration configuration)
    {
        if (configuration["Neolia:Local:Asterisk"] is { Length: > 0 } configured) return File.Exists(configured) ? configured : null;
        var path = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator) ?? [];
        return path.Append("/usr/sbin").Select(dir => Path.Combine(dir, "asterisk")).FirstOrDefault(File.Exists);
    }

    public static IResourceBuilder<ExecutableResource> AddLocalAsterisk(this IDistributedApplicationBuilder builder, string name,
        string executable, string stateDirectory, int sipPort, LocalPostgresServerResource postgres)
    {
        var root = Path.Combine(stateDirectory, "asterisk");
        var etc = Path.Combine(root, "etc");
        var httpPort = FreePort.Next();
        // <prefix>/sbin/asterisk → <prefix>/lib/asterisk/modules, <prefix>/var/lib/asterisk (or the system's).
        var prefix = Path.GetDirectoryName(Path.GetDirectoryName(executable))!;
        var modules = new[] { Path.Combine(prefix, "lib", "asterisk", "modules"), "/usr/lib/asterisk/modules", "/usr/lib/x86_64-linux-gnu/asterisk/modules" }.First(Directory.Exists);
        var data = new[] { Path.Combine(prefix, "var", "lib", "asterisk"), "/usr/share/asterisk", "/var/lib/asterisk" }.FirstOrDefault(Directory.Exists) ?? root;

        // A fresh copy at every start, so configuration edits take effect and nothing stale survives.
        if (Directory.Exists(etc)) Directory.Delete(etc, recursive: true);
        foreach (var dir in new[] { etc, Path.Combine(root, "run"), Path.Combine(root, "log"), Path.Combine(root, "spool"), Path.Combine(root, "lib") }) Directory.CreateDirectory(dir);
        foreach (var file in Directory.GetFiles(Path.Combine(builder.AppHostDirectory, "..", "containers", "asterisk")))
        {
            var text = File.ReadAllText(file).Replace("/etc/asterisk/", etc + "/");
            text = Path.GetFileName(file) switch
            {
                "pjsip.conf" => Regex.Replace(text, @"(?m)^bind = 0\.0\.0\.0:5060$", $"bind = 0.0.0.0:{sipPort}"),
                "http.conf" => Regex.Replace(Regex.Replace(text, @"(?m)^bindport = \d+$", $"bindport = {httpPort}"), @"(?m)^bindaddr = .*$", "bindaddr = 127.0.0.1"),
                // hostname: NEOLIA_REALTIME_HOSTS (neolia-pgsql.sh), set by the AppHost.
                "res_pgsql.conf" => Regex.Replace(text, @"(?m)^port = \d+$", $"port = {postgres.Port}"),
                _ => text,
            };
            File.WriteAllText(Path.Combine(etc, Path.GetFileName(file)), text);
        }
        File.WriteAllText(Path.Combine(etc, "asterisk.conf"), $"""
            ; Written by the AppHost (local mode) for this installation; the repository's asterisk.conf is the container's.
            [directories]
            astetcdir => {etc}
            astmoddir => {modules}
            astvarlibdir => {Path.Combine(root, "lib")}
            astdbdir => {Path.Combine(root, "lib")}
            astkeydir => {Path.Combine(root, "lib")}
            astdatadir => {data}
            astagidir => {Path.Combine(data, "agi-bin")}
            astspooldir => {Path.Combine(root, "spool")}
            astrundir => {Path.Combine(root, "run")}
            astlogdir => {Path.Combine(root, "log")}
            astsbindir => {Path.GetDirectoryName(executable)}
            [options]
            verbose = 3
            execincludes = yes
            systemname = {Program.AsteriskName}
            """);

        return builder.AddExecutable(name, executable, root, "-C", Path.Combine(etc, "asterisk.conf"), "-f", "-n", "-vvv")
            .WithHttpEndpoint(port: httpPort, targetPort: httpPort, name: "http", isProxied: false)
            .WithHttpHealthCheck("/httpstatus", endpointName: "http")
            .WithIconName("Call")
            .ExcludeFromManifest();
    }
}
