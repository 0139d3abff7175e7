using System.Diagnostics;

namespace Neolia.Tests.Asterisk;

/// <summary>Runs one of containers/asterisk's #exec scripts as Asterisk does (/bin/sh), with only the given environment.</summary>
public static class AsteriskScripts
{
    public static string Run(string script, IReadOnlyDictionary<string, string?> environment, string argument = "")
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryFiles.PathOf("containers", "asterisk", script));
        if (argument.Length > 0) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var (key, value) in environment)
        {
            if (value is not null) start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }
}
