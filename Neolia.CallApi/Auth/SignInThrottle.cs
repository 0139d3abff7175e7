using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.Auth;

/// <summary>
/// Slows password guessing without letting a stranger lock a resident out of their door: wrong passwords are counted
/// per account <em>and</em> client address, so a guesser is held back while the resident's own phone (another address)
/// still signs in. There is no account lockout. The gateway adds a per-address limit on every sign-in request.
/// Per replica and in memory: a restart forgets the counts, which costs a guesser nothing they could not get by waiting.
/// </summary>
public sealed class SignInThrottle(IOptions<SignInThrottleOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<(string Account, string Client)> _failures =
        PartitionedRateLimiter.Create<(string Account, string Client), (string, string)>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = options.Value.FailuresPerWindow,
                Window = options.Value.Window,
                QueueLimit = 0,
            }));

    /// <summary>Null when this client may try this account now, else how long it must wait.</summary>
    public TimeSpan? MustWait(string account, string client) => Check(account, client, permits: 0);

    /// <summary>Counts a wrong password (or an unknown account) for this client and account.</summary>
    public void Failed(string account, string client) => Check(account, client, permits: 1);

    private TimeSpan? Check(string account, string client, int permits)
    {
        using var lease = _failures.AttemptAcquire((account.ToUpperInvariant(), client), permits);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.Value.Window;
    }

    public void Dispose() => _failures.Dispose();
}

/// <summary>Section <c>SignIn</c>: how many wrong passwords one client may try on one account per window.</summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "SignIn";

    [System.ComponentModel.DataAnnotations.Range(1, 1000, ErrorMessage = "SignIn:FailuresPerWindow must be between 1 and 1000.")]
    public int FailuresPerWindow { get; set; } = 5;

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "SignIn:Window must be between 1 s and 1 day.")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}
