using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Neolia.CallApi.Data;

public static class DbUpdateExceptionExtensions
{
    /// <summary>A unique index refused the row: a duplicate name or id, or a concurrent request that got there first.</summary>
    public static bool IsUniqueViolation(this DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
