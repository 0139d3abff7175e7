using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Neolia.CallApi.Users;
using Neolia.CallApi.RequestErrors;

namespace Neolia.CallApi.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth").WithNoStore();
        auth.MapPost("/login", LoginAsync).WithSummary("Sign in: an access token and a refresh token").AllowAnonymous();
        auth.MapPost("/refresh", RefreshAsync).WithSummary("Exchange a refresh token for new tokens (rotates it)").AllowAnonymous();
        auth.MapPost("/logout", LogoutAsync).WithSummary("Sign out: revoke this session's tokens").AllowAnonymous();
        return app;
    }

    public sealed record LoginRequest(
        [Required, EmailAddress, SingleLine, MaxLength(256)] string Email,
        [Required, MaxLength(256)] string Password);

    public sealed record RefreshRequest([Required, MaxLength(200)] string RefreshToken);

    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, HttpContext http, UserManager<User> users, AccessTokenIssuer issuer, RefreshTokenStore refreshTokens,
        SignInThrottle throttle, TimeProvider time, CancellationToken ct)
    {
        var client = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.MustWait(request.Email, client) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed sign-ins",
                detail: $"Too many wrong passwords for this account from this address: try again in {seconds} s.");
        }
        var user = await users.FindByEmailAsync(request.Email);
        if (user is null || !user.IsActive || !await users.CheckPasswordAsync(user, request.Password))
        {
            throttle.Failed(request.Email, client);
            return InvalidCredentials();
        }
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

    /// <summary>
    /// Signs this device out: its refresh token is revoked, and so are the user's access tokens (they carry no session,
    /// so other devices simply get fresh ones with their own refresh tokens). An unknown token changes nothing.
    /// </summary>
    private static async Task<NoContent> LogoutAsync(RefreshRequest request, RefreshTokenStore refreshTokens, AccountRevocation revocation, CancellationToken ct)
    {
        if (await refreshTokens.RevokeAsync(request.RefreshToken, ct) is { } userId) await revocation.RevokeAccessTokensAsync(userId, ct);
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
