using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/login", LoginAsync).WithSummary("Sign in: an access token and a refresh token").AllowAnonymous();
        auth.MapPost("/refresh", RefreshAsync).WithSummary("Exchange a refresh token for new tokens (rotates it)").AllowAnonymous();
        auth.MapPost("/logout", LogoutAsync).WithSummary("Sign out: revoke a refresh token").AllowAnonymous();
        return app;
    }

    public sealed record LoginRequest(
        [Required, EmailAddress, MaxLength(256)] string Email,
        [Required, MaxLength(256)] string Password);

    public sealed record RefreshRequest([Required, MaxLength(200)] string RefreshToken);

    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, UserManager<User> users, AccessTokenIssuer issuer, RefreshTokenStore refreshTokens,
        TimeProvider time, CancellationToken ct)
    {
        var user = await users.FindByEmailAsync(request.Email);
        if (user is null || !user.IsActive) return InvalidCredentials();
        if (await users.IsLockedOutAsync(user))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed sign-ins",
                detail: "This account is locked for a few minutes after repeated wrong passwords.");
        }
        if (!await users.CheckPasswordAsync(user, request.Password))
        {
            await users.AccessFailedAsync(user);
            return InvalidCredentials();
        }
        await users.ResetAccessFailedCountAsync(user);
        return TypedResults.Ok(await IssueAsync(user, users, issuer, refreshTokens, time, ct));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, UserManager<User> users, AccessTokenIssuer issuer, RefreshTokenStore refreshTokens,
        TimeProvider time, CancellationToken ct)
    {
        var rotated = await refreshTokens.RotateAsync(request.RefreshToken, ct);
        if (rotated is not { } r) return InvalidRefreshToken();
        var user = await users.FindByIdAsync(r.UserId.ToString());
        if (user is null || !user.IsActive)
        {
            await refreshTokens.RevokeAllAsync(r.UserId, ct);
            return InvalidRefreshToken();
        }
        var (accessToken, expiresAt) = issuer.Issue(user, await users.GetRolesAsync(user));
        return TypedResults.Ok(new TokenResponse(accessToken, "Bearer", Seconds(expiresAt, time), r.Token));
    }

    private static async Task<NoContent> LogoutAsync(RefreshRequest request, RefreshTokenStore refreshTokens, CancellationToken ct)
    {
        await refreshTokens.RevokeAsync(request.RefreshToken, ct);
        return TypedResults.NoContent();
    }

    private static async Task<TokenResponse> IssueAsync(User user, UserManager<User> users, AccessTokenIssuer issuer,
        RefreshTokenStore refreshTokens, TimeProvider time, CancellationToken ct)
    {
        var (accessToken, expiresAt) = issuer.Issue(user, await users.GetRolesAsync(user));
        var refreshToken = await refreshTokens.IssueAsync(user.Id, ct);
        return new TokenResponse(accessToken, "Bearer", Seconds(expiresAt, time), refreshToken);
    }

    private static int Seconds(DateTimeOffset expiresAt, TimeProvider time) => (int)(expiresAt - time.GetUtcNow()).TotalSeconds;

    // One answer for an unknown e-mail and a wrong password: no account enumeration.
    private static ProblemHttpResult InvalidCredentials() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized, title: "Invalid credentials", detail: "The e-mail or the password is wrong.");

    private static ProblemHttpResult InvalidRefreshToken() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized, title: "Invalid refresh token", detail: "Sign in again.");
}
