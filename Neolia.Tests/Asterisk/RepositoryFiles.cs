namespace Neolia.Tests.Asterisk;

/// <summary>Finds files of the repository (containers/…) from the test's output directory.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Neolia.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No Neolia.sln above {AppContext.BaseDirectory}: cannot find the repository's files.");
    }
}
