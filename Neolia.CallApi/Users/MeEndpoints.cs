using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Auth;
using Neolia.CallApi.Data;
using Neolia.CallApi.PushRegistrations;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.Users;

/// <summary>A signed-in user's own account: who they are, where they live, their password.</summary>
public static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/me").WithTags("Me").RequireAuthorization();
        me.MapGet("", GetAsync).WithSummary("My profile, apartments and push registrations");
        me.MapPost("/password", ChangePasswordAsync).WithSummary("Change my password (signs out my other sessions)").WithNoStore();
        return app;
    }

    public sealed record MyApartment(Guid Id, string Number, Guid SiteId, string SiteName, string? SiteAddress);

    public sealed record MeResponse(
        Guid Id, string? Email, string DisplayName, Guid? TenantId, IReadOnlyList<string> Roles, IReadOnlyList<MyApartment> Apartments,
        IReadOnlyList<PushRegistrationEndpoints.PushRegistrationView> PushRegistrations);

    public sealed record ChangePasswordRequest(
        [Required, MaxLength(128)] string CurrentPassword,
        [Required, MinLength(10), MaxLength(128)] string NewPassword);

    private static async Task<IResult> GetAsync(ClaimsPrincipal caller, NeoliaDb db, UserManager<User> users, CancellationToken ct)
    {
        var id = caller.GetUserId();
        if (await users.FindByIdAsync(id.ToString()) is not { IsActive: true } user) return Gone();
        // The global filter scopes memberships to the caller's tenant: a resident sees their own tenant's only.
        var apartments = await db.ApartmentMemberships.Where(m => m.UserId == id)
            .OrderBy(m => m.Apartment!.Number)
            .Select(m => new MyApartment(m.ApartmentId, m.Apartment!.Number, m.Apartment.SiteId,
                db.Sites.Where(s => s.Id == m.Apartment.SiteId).Select(s => s.Name).First(),
                db.Sites.Where(s => s.Id == m.Apartment.SiteId).Select(s => s.Address).First()))
            .ToListAsync(ct);
        var pushRegistrations = await PushRegistrationEndpoints.OfUserAsync(db, id, ct);
        return TypedResults.Ok(new MeResponse(user.Id, user.Email, user.DisplayName, user.TenantId, [.. await users.GetRolesAsync(user)],
            apartments, pushRegistrations));
    }

    /// <summary>
    /// Changes the password and signs out every session (refresh and access tokens are revoked, as on deactivation,
    /// and open sockets close); this device gets a fresh pair.
    /// </summary>
    private static async Task<IResult> ChangePasswordAsync(ChangePasswordRequest request, ClaimsPrincipal caller, UserManager<User> users,
        AccessTokenIssuer issuer, RefreshTokenStore refreshTokens, AccountRevocation revocation, TimeProvider time, CancellationToken ct)
    {
        if (await users.FindByIdAsync(caller.GetUserId().ToString()) is not { IsActive: true } user) return Gone();
        if (!await users.CheckPasswordAsync(user, request.CurrentPassword))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is wrong."] });
        }
        var changed = await users.ChangePasswordAsync(user, request.CurrentPassword, request.NewPassword);
        if (!changed.Succeeded) return UserAccounts.ProblemOf(changed, "newPassword");

        await revocation.RevokeEverySessionAsync(user.Id, ct);
        var (accessToken, expiresAt) = issuer.Issue(user, await users.GetRolesAsync(user));
        var refreshToken = await refreshTokens.IssueAsync(user.Id, ct);
        return TypedResults.Ok(new AuthEndpoints.TokenResponse(accessToken, "Bearer", (int)(expiresAt - time.GetUtcNow()).TotalSeconds, refreshToken));
    }

    // A token can outlive its account for an instant (deleted, or deactivated before the revocation reached Redis).
    private static IResult Gone() => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized,
        title: "Account unavailable", detail: "This account no longer exists or was deactivated.");
}
