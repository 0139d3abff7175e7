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

/// <summary>
/// A door opening a site box should carry out now: trigger <see cref="Relay"/> of the door's HTTP API at
/// <see cref="DoorHttpUrl"/> on the building's network. Carries the door's HTTP credentials: never log it.
/// </summary>
public sealed record SiteOpening(Guid EventId, Guid DeviceId, string DoorHttpUrl, string? Username, string? Password, int Relay);

/// <summary>The openings a site box has claimed (each is handed out once).</summary>
public sealed record SiteOpeningList(IReadOnlyList<SiteOpening> Openings);

/// <summary>A door opened from the app a moment ago whose camera this relay reaches: one JPEG, PUT to <c>/openings/{EventId}/snapshot</c>.</summary>
public sealed record OpeningSnapshot(Guid EventId, Guid DeviceId, string RtspUrl);

public sealed record OpeningSnapshotList(IReadOnlyList<OpeningSnapshot> Openings);

/// <summary>What the door answered: <c>opened</c>, <c>door_unreachable</c> or <c>failed</c>, and why (no credentials in it).</summary>
public sealed record SiteOpeningReport(string Result, string? Reason = null);
