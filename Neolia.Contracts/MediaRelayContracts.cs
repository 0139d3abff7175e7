namespace Neolia.Contracts;

/// <summary>
/// The API CallApi offers the media relays: the stack's replicas under <see cref="StackPrefix"/> on the private
/// network, a relay box inside a building under <see cref="SitePrefix"/> through the gateway.
/// </summary>
public static class MediaRelayApi
{
    public const string StackPrefix = "/internal/media";
    public const string SitePrefix = "/api/site-relay";

    /// <summary>The stack relays' shared secret.</summary>
    public const string StackSecretHeader = "X-Neolia-Relay-Secret";

    /// <summary>A site relay's <c>{siteId}:{credential}</c>.</summary>
    public const string SiteCredentialHeader = "X-Neolia-Site-Relay";

    /// <summary>Longest long poll (<c>GET calls?wait=</c>) a relay may ask for, in seconds.</summary>
    public const int MaxWaitSeconds = 25;
}

/// <summary>What a relay needs to stream one call's door. Carries the camera's credentials and the publishing key: never log it.</summary>
public sealed record RelayStream(Guid CallId, Guid DeviceId, string Room, string Status, string RtspUrl, string PublishUrl);

/// <summary>A call a relay should be streaming now.</summary>
public sealed record RelayCall(Guid CallId, Guid DeviceId, string Status);

/// <summary>The calls a relay should be streaming, and a tag that changes whenever that list does (for the long poll).</summary>
public sealed record RelayCallList(IReadOnlyList<RelayCall> Calls, string Tag);

/// <summary>A relay's report of the door's video (<see cref="VideoStates"/>), with why it is unavailable (no credentials in it).</summary>
public sealed record VideoReport(string State, string? Reason = null);
