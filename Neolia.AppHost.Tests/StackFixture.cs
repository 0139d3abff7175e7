using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Neolia.DevStack;

namespace Neolia.AppHost.Tests;

/// <summary>
/// Starts the real AppHost once for the tests of a class, in the local-processes mode (PostgreSQL and Redis from the
/// machine's packages, no container resource), with secrets generated for the run and a state directory of its own.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static string[] Resources => StackStates.Resources;

    public StackSecrets Secrets { get; } = StackSecrets.Generate();
    public string JwtSigningKey => Secrets.JwtSigningKey;
    public string PostgresPassword => Secrets.PostgresPassword;
    public string RedisPassword => Secrets.RedisPassword;
    public string DemoPassword => Secrets.DemoPassword;
    public string KeyEncryptionKey => Secrets.KeyEncryptionKey;
    public string StateDirectory { get; } = Path.Combine(Path.GetTempPath(), "neolia-apphost-tests", Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Keep the state directory when disposed: a second start on it follows (as a second <c>scripts/run.sh</c>).</summary>
    public bool KeepState { get; set; }

    /// <summary>Local mode's streaming read replica as well (<c>Neolia:Local:PostgresReplica</c>, <c>scripts/run.sh --pg-replica</c>).</summary>
    public bool WithPostgresReplica { get; init; }

    public const string PostgresReplica = "postgres-replica";

    public StackFixture() { }

    /// <summary>The stack of <paramref name="first"/> started again: its state directory and secrets (user secrets keep them under <c>aspire run</c>).</summary>
    public static StackFixture Again(StackFixture first) => new(first);

    // Not public: xunit takes a class fixture's one public constructor.
    private StackFixture(StackFixture first)
    {
        (Secrets, StateDirectory, WithPostgresReplica) = (first.Secrets, first.StateDirectory, first.WithPostgresReplica);
    }

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        string[] args = [.. AppHostArguments.Local(StateDirectory, Secrets), .. WithPostgresReplica ? ["Neolia:Local:PostgresReplica=true"] : Array.Empty<string>()];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Neolia_AppHost>(args, timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        try
        {
            foreach (var resource in WithPostgresReplica ? [.. Resources, PostgresReplica] : Resources)
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The stack did not become healthy in 3 minutes:\n{await DescribeAsync()}");
        }
    }

    /// <summary>The state and health of every resource, for a failure message.</summary>
    public Task<string> DescribeAsync() => StackStates.DescribeAsync(App);

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
        if (KeepState) return;
        try { Directory.Delete(StateDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
