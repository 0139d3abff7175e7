using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Neolia.AdminConsole.SignIn;

/// <summary>The API tokens of one signed-in browser, kept on the server: the browser holds only the cookie naming them.</summary>
public sealed class ConsoleSession(string id, ApiTokens tokens)
{
    public string Id { get; } = id;
    public ApiTokens Tokens { get; set; } = tokens;

    /// <summary>One refresh at a time: refresh tokens rotate, and a reused one revokes every session of the user.</summary>
    public SemaphoreSlim Refreshing { get; } = new(1, 1);
}

public sealed record ApiTokens(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Sessions of this console instance, in memory: a restart (or another replica) asks people to sign in again, and
/// no token is ever written to disk or to the browser.
/// </summary>
public sealed class SessionStore
{
    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new();

    public ConsoleSession Create(ApiTokens tokens)
    {
        var session = new ConsoleSession(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)), tokens);
        _sessions[session.Id] = session;
        return session;
    }

    public ConsoleSession? Find(string? id) => id is not null && _sessions.TryGetValue(id, out var s) ? s : null;

    public ConsoleSession? Remove(string? id) => id is not null && _sessions.TryRemove(id, out var s) ? s : null;
}
