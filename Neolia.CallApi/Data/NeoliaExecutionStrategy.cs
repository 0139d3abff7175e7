using Microsoft.EntityFrameworkCore.Storage;
using Npgsql.EntityFrameworkCore.PostgreSQL;

namespace Neolia.CallApi.Data;

/// <summary>
/// Npgsql's retrying strategy (3 retries of transient failures), except for a context marked
/// <see cref="NeoliaDb.FailFast"/>: there a failure is reported at once (retries took 4.3 s with PostgreSQL down,
/// past the dialplan's 3 s).
/// </summary>
internal sealed class NeoliaExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : NpgsqlRetryingExecutionStrategy(dependencies, maxRetryCount: 3)
{
    private readonly ExecutionStrategyDependencies _dependencies = dependencies;

    protected override bool ShouldRetryOn(Exception? exception) =>
        _dependencies.CurrentContext.Context is not NeoliaDb { FailFast: true } && base.ShouldRetryOn(exception);
}
