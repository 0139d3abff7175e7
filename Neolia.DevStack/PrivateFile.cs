namespace Neolia.DevStack;

public static class PrivateFile
{
    /// <summary>Writes a file only its owner may read: it holds secrets.</summary>
    public static void Write(string path, string contents)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, contents);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
