using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.AdminConsole.SignIn;

/// <summary>
/// The administrator of this circuit (one browser tab): who they are, the tenant they work in, and a valid access
/// token for the API, refreshed a minute before it expires.
/// </summary>
public sealed class ConsoleUser(AuthenticationStateProvider authentication, SessionStore sessions, AuthApi auth, TimeProvider time,
    ILogger<ConsoleUser> logger)
{
    private static readonly TimeSpan RefreshAhead = TimeSpan.FromMinutes(1);

    public async Task<ClaimsPrincipal> PrincipalAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<bool> IsPlatformAdminAsync() => (await PrincipalAsync()).IsInRole(NeoliaRoles.PlatformAdmin);

    /// <summary>Chosen on the tenants page by a platform administrator, who belongs to no tenant.</summary>
    public TenantChoice? ChosenTenant { get; set; }

    public sealed record TenantChoice(Guid Id, string Name);

    /// <summary>The tenant new sites and residents go to: the administrator's own, or the one a platform administrator chose.</summary>
    public async Task<Guid?> WorkingTenantIdAsync() => (await PrincipalAsync()).GetTenantId() ?? ChosenTenant?.Id;

    /// <returns>Null when the session is gone (signed out elsewhere, refresh refused): the person must sign in again.</returns>
    public async Task<string?> AccessTokenAsync(bool forceRefresh, CancellationToken ct)
    {
        var session = sessions.Find((await PrincipalAsync()).FindFirst(SignInFeature.SessionClaim)?.Value);
        if (session is null) return null;
        if (!forceRefresh && session.Tokens.ExpiresAt - time.GetUtcNow() > RefreshAhead) return session.Tokens.AccessToken;

        var seen = session.Tokens;
        await session.Refreshing.WaitAsync(ct);
        try
        {
            // Another request of this session refreshed while this one waited.
            if (!ReferenceEquals(seen, session.Tokens)) return session.Tokens.AccessToken;
            var refreshed = await auth.RefreshAsync(session.Tokens.RefreshToken, ct);
            if (refreshed.Value is not { } tokens)
            {
                logger.LogInformation("Session ended: the refresh was refused ({Problem})", refreshed.Problem?.Title);
                sessions.Remove(session.Id);
                return null;
            }
            session.Tokens = tokens;
            return tokens.AccessToken;
        }
        finally
        {
            session.Refreshing.Release();
        }
    }
}
