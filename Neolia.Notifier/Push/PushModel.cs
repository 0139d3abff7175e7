using Neolia.Contracts;

namespace Neolia.Notifier.Push;

public enum PushKind
{
    /// <summary>Wake the phone and ring: FCM high-priority data, APNs VoIP.</summary>
    Ring,
    /// <summary>Stop ringing (answered elsewhere, ended, missed): FCM high-priority data, APNs alert or background — never VoIP.</summary>
    Cancel,
}

/// <summary>One call event as a push: the same content goes to every device, each platform shapes its own wire format.</summary>
public sealed record CallPush
{
    public required PushKind Kind { get; init; }
    /// <summary>The call event's type (<see cref="CallEventTypes"/>).</summary>
    public required string EventType { get; init; }
    public required Guid CallId { get; init; }
    public required string Status { get; init; }
    /// <summary>When the platform emitted the event; the app drops a push whose <c>sent_at</c> is older than a ring.</summary>
    public required DateTimeOffset SentAt { get; init; }
    /// <summary>After this the push is worthless: Google and Apple drop it rather than deliver it late.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
    public IncomingCallDetails? Details { get; init; }
    public Guid? AnsweredBy { get; init; }

    /// <summary>The string-only key/value pairs both platforms carry (FCM data values must be strings).</summary>
    public Dictionary<string, string> Data()
    {
        var data = new Dictionary<string, string>
        {
            ["type"] = EventType,
            ["call_id"] = CallId.ToString(),
            ["status"] = Status,
            ["sent_at"] = SentAt.UtcDateTime.ToString("O"),
            ["expires_at"] = ExpiresAt.UtcDateTime.ToString("O"),
        };
        if (Details is { } d)
        {
            data["room"] = d.Room;
            data["livekit_url"] = d.LivekitUrl;
            data["caller"] = d.Caller;
            data["device"] = d.Device;
            data["apartment"] = d.Apartment;
            data["created_at"] = d.CreatedAt.UtcDateTime.ToString("O");
        }
        if (AnsweredBy is { } by) data["answered_by"] = by.ToString();
        return data;
    }
}

public enum PushOutcome
{
    Sent,
    /// <summary>The token will never work again: remove its registration.</summary>
    DeadToken,
    /// <summary>Worth another try later (network, 429, 5xx, expired credentials).</summary>
    Retryable,
    /// <summary>Will fail the same way again (bad request, bad credentials); recorded, not retried.</summary>
    Failed,
    /// <summary>Nothing to send for this target (provider not configured, wrong token kind for this push, expired).</summary>
    Skipped,
}

public sealed record PushResult(PushOutcome Outcome, string Detail, TimeSpan? RetryAfter = null)
{
    public static PushResult Sent(string detail = "sent") => new(PushOutcome.Sent, detail);
    public static PushResult Dead(string detail) => new(PushOutcome.DeadToken, detail);
    public static PushResult Retry(string detail, TimeSpan? after = null) => new(PushOutcome.Retryable, detail, after);
    public static PushResult Fail(string detail) => new(PushOutcome.Failed, detail);
    public static PushResult Skip(string detail) => new(PushOutcome.Skipped, detail);

    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider time) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow() is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero,
            _ => null,
        };
}

/// <summary>Sends one push to one device token.</summary>
public interface IPushSender
{
    Task<PushResult> SendAsync(PushTarget target, CallPush push, CancellationToken ct);
}
