using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging.Abstractions;
using Neolia.AdminConsole.SignIn;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.AdminConsole;

/// <summary>
/// The console's server-side session against CallApi's real <c>/api/auth</c> through the gateway: an access token about
/// to expire is refreshed (the refresh token rotates), and a session whose refresh is refused ends.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ConsoleSessionRefreshTests(StackFixture stack)
{
    [Fact]
    public async Task An_expiring_token_is_refreshed_once_and_a_refused_refresh_ends_the_session()
    {
        // An administrator of their own: the replay below revokes every session of this user.
        var (_, email, password) = await AdminConsoleFixture.NewTenantAdminAsync(stack);
        using var gateway = new HttpClient { BaseAddress = stack.Stack.GatewayUrl };
        var auth = new AuthApi(gateway, TimeProvider.System);
        var sessions = new SessionStore();
        var signedIn = await auth.LoginAsync(email, password, CancellationToken.None);
        var tokens = signedIn.Value!;
        // As if it had been issued an hour ago: it is due for a refresh.
        var session = sessions.Create(tokens with { ExpiresAt = DateTimeOffset.UtcNow });
        var user = new ConsoleUser(new SignedIn(SignInFeature.PrincipalOf(tokens.AccessToken, session.Id)), sessions, auth, TimeProvider.System,
            NullLogger<ConsoleUser>.Instance);

        var fresh = await Task.WhenAll(user.AccessTokenAsync(false, CancellationToken.None), user.AccessTokenAsync(false, CancellationToken.None));

        Assert.Equal(fresh[0], fresh[1]);
        Assert.NotEqual(tokens.RefreshToken, session.Tokens.RefreshToken);
        Assert.True(session.Tokens.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(fresh[0], await user.AccessTokenAsync(false, CancellationToken.None));

        // Someone replays the spent refresh token: CallApi revokes the user's sessions, and this one ends.
        Assert.False((await auth.RefreshAsync(tokens.RefreshToken, CancellationToken.None)).Ok);
        Assert.Null(await user.AccessTokenAsync(forceRefresh: true, CancellationToken.None));
        Assert.Null(sessions.Find(session.Id));
    }

    private sealed class SignedIn(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
