using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.IdentityModel.JsonWebTokens;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.AdminConsole.SignIn;

/// <summary>
/// Signing in with the platform's accounts: CallApi issues the tokens, this console keeps them server-side
/// (<see cref="SessionStore"/>) and gives the browser an HttpOnly cookie that names the session.
/// </summary>
public static class SignInFeature
{
    public const string SessionClaim = "console_session";
    public const string AdministratorsPolicy = "administrators";

    public static IHostApplicationBuilder AddConsoleSignIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddScoped<ConsoleUser>();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
        {
            cookie.Cookie.Name = "neolia-console";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.LoginPath = "/" + ConsoleRoutes.SignIn;
            cookie.AccessDeniedPath = "/" + ConsoleRoutes.SignIn;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            // A cookie whose session is gone (signed out, refresh refused, console restarted) signs nobody in.
            cookie.Events.OnValidatePrincipal = context =>
            {
                var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionStore>();
                if (sessions.Find(context.Principal?.FindFirst(SessionClaim)?.Value) is null) context.RejectPrincipal();
                return Task.CompletedTask;
            };
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy(AdministratorsPolicy,
            policy => policy.RequireRole(NeoliaRoles.PlatformAdmin, NeoliaRoles.TenantAdmin));
        return builder;
    }

    /// <summary>Who the access token says the person is, plus the session holding their tokens.</summary>
    public static ClaimsPrincipal PrincipalOf(string accessToken, string sessionId)
    {
        var token = new JsonWebToken(accessToken);
        var identity = new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme, NeoliaClaims.Name, NeoliaClaims.Role);
        foreach (var type in new[] { NeoliaClaims.UserId, NeoliaClaims.Name, NeoliaClaims.Email, NeoliaClaims.Role, NeoliaClaims.TenantId })
        {
            identity.AddClaims(token.Claims.Where(c => c.Type == type).Select(c => new Claim(type, c.Value)));
        }
        identity.AddClaim(new Claim(SessionClaim, sessionId));
        return new ClaimsPrincipal(identity);
    }

    public static bool IsAdministrator(ClaimsPrincipal user) =>
        user.IsInRole(NeoliaRoles.PlatformAdmin) || user.IsInRole(NeoliaRoles.TenantAdmin);

    /// <summary><c>POST /account/logout</c>: revokes the refresh token at the API, forgets the session, removes the cookie.</summary>
    public static IEndpointRouteBuilder MapSignOut(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + ConsoleRoutes.SignOut, async (HttpContext http, SessionStore sessions, AuthApi auth, CancellationToken ct) =>
        {
            if (sessions.Remove(http.User.FindFirst(SessionClaim)?.Value) is { } session)
            {
                await auth.LogoutAsync(session.Tokens.RefreshToken, ct);
            }
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect($"~/{ConsoleRoutes.SignIn}?signedOut=true");
        });
        return app;
    }
}

/// <summary>The console's own paths, relative to its base (<c>/admin/</c>).</summary>
public static class ConsoleRoutes
{
    public const string SignIn = "login";
    public const string SignOut = "account/logout";
}
