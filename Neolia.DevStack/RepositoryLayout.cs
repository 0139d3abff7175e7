namespace Neolia.DevStack;

/// <summary>Where the repository and the services' build outputs are, from wherever this code runs.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this code was built in (Debug/Release): the services were built alongside it.</summary>
    public static string Configuration { get; } =
        Environment.GetEnvironmentVariable("NEOLIA_BUILD_CONFIGURATION") is { Length: > 0 } c
            ? c
            : new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string BuildOutput(string project)
    {
        var dll = Path.Combine(Root, project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException(
            $"{project} is not built ({dll} is missing). Build the solution first (scripts/run.sh and scripts/test.sh do).", dll);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Neolia.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Neolia.sln not found above {AppContext.BaseDirectory}.");
    }
}
