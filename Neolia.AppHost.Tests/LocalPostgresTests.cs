using Neolia.AppHost.LocalInfrastructure;

namespace Neolia.AppHost.Tests;

/// <summary>As root the local PostgreSQL runs as postgres, which must be able to reach its data directory.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalPostgresTests
{
    [Fact]
    public void A_directory_others_cannot_enter_on_the_way_to_the_data_is_named()
    {
        var root = Directory.CreateTempSubdirectory("neolia-pg-path-").FullName;
        try
        {
            var closed = Directory.CreateDirectory(Path.Combine(root, "clone")).FullName;
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var data = Path.Combine(closed, ".devstack", "postgres", "data");

            Assert.Equal(closed, LocalPostgresBuilderExtensions.FirstDirectoryClosedToOthers(data));

            File.SetUnixFileMode(closed, (UnixFileMode)0b111_101_101);
            Assert.Null(LocalPostgresBuilderExtensions.FirstDirectoryClosedToOthers(data));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
