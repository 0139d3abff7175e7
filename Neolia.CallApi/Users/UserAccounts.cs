using Microsoft.AspNetCore.Identity;
using Neolia.CallApi.Administration;

namespace Neolia.CallApi.Users;

/// <summary>Creating accounts and changing passwords through Identity, with its errors turned into our problems.</summary>
public static class UserAccounts
{
    /// <summary>Creates the user with a first password and one role; null when it worked, else the problem to answer.</summary>
    public static async Task<IResult?> CreateAsync(UserManager<User> users, User user, string password, string role)
    {
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return ProblemOf(created, "password");
        var added = await users.AddToRoleAsync(user, role);
        return added.Succeeded ? null : throw new InvalidOperationException("Adding a role failed: " + Describe(added));
    }

    /// <summary>
    /// Identity's refusals as problems: a taken e-mail is a conflict (409); a weak password is a field error of
    /// <paramref name="passwordField"/> (400); anything else a validation problem of the request.
    /// </summary>
    public static IResult ProblemOf(IdentityResult result, string passwordField)
    {
        if (result.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)))
        {
            return AdminProblems.Conflict("E-mail taken", "An account with this e-mail already exists.");
        }
        var errors = result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? passwordField
                : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email" : "body")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        return TypedResults.ValidationProblem(errors);
    }

    private static string Describe(IdentityResult result) => string.Join("; ", result.Errors.Select(e => e.Description));
}
