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

    [Fact]
    public void A_data_directory_initdb_made_owner_only_does_not_stop_the_next_start()
    {
        var root = Directory.CreateTempSubdirectory("neolia-pg-again-").FullName;
        try
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            // What initdb leaves: the data directory mode 0700 (PostgreSQL refuses anything wider).
            var data = Directory.CreateDirectory(Path.Combine(root, ".devstack", "postgres")).FullName;
            File.SetUnixFileMode(Path.Combine(root, ".devstack"), (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            Assert.Null(LocalPostgresBuilderExtensions.FirstDirectoryClosedToOthers(data));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
