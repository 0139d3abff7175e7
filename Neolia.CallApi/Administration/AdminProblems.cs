using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.Administration;

/// <summary>The problems the admin API answers, worded alike everywhere.</summary>
public static class AdminProblems
{
    /// <summary>
    /// Unknown, or another tenant's: the caller cannot tell which (no existence leak across tenants).
    /// </summary>
    public static IResult NotFound(string what) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: $"{what} not found", detail: $"No {what.ToLowerInvariant()} with this id is visible to you.");

    public static IResult Conflict(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail);

    public static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>Saves, or answers 409 with <paramref name="title"/> and <paramref name="detail"/> when a unique index refuses the change.</summary>
    public static async Task<IResult?> SaveOrConflictAsync(NeoliaDb db, string title, string detail, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Conflict(title, detail);
        }
    }
}
