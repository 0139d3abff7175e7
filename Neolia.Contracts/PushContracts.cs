namespace Neolia.Contracts;

/// <summary>The kinds of push token a resident's device can register.</summary>
public static class PushPlatforms
{
    /// <summary>Firebase Cloud Messaging registration token (Android): rings and cancels.</summary>
    public const string Fcm = "fcm";

    /// <summary>PushKit VoIP token (iOS): rings only. Every VoIP push must report a new call to CallKit.</summary>
    public const string ApnsVoip = "apns-voip";

    /// <summary>
    /// Ordinary APNs device token (iOS, User Notifications): cancels only. A PushKit token cannot receive an
    /// alert or background push, and a cancel must never be a VoIP push, so iOS needs this second token.
    /// </summary>
    public const string Apns = "apns";

    public static readonly IReadOnlyList<string> All = [Fcm, ApnsVoip, Apns];
}

/// <summary>One registered device token of a recipient, carried in call events so the Notifier never reads the database.</summary>
public sealed record PushTarget(Guid RegistrationId, string Platform, string Token);

/// <summary>Stream the Notifier appends dead push tokens to; CallApi consumes it and deletes the registrations.</summary>
public static class PushFeedbackStream
{
    public const string Key = "neolia:push-feedback";
    public const string RegistrationIdField = "registration_id";
    /// <summary>The token that failed: a registration whose token changed since is kept.</summary>
    public const string TokenField = "token";
    public const string ReasonField = "reason";
    public const int MaxLength = 10_000;
}

/// <summary>Pushes that could not be sent after every retry, for operators (the log says the same).</summary>
public static class PushDeadLetterStream
{
    public const string Key = "neolia:push-dead-letters";
    public const int MaxLength = 10_000;
}
