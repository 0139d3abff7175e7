namespace Neolia.AdminConsole.Api;

// The shapes of Neolia's public admin API (docs/administration.md, /openapi/v1.json), as the console reads them.

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, int TotalCount);

public sealed record TenantDto(Guid Id, string Slug, string Name, DateTimeOffset CreatedAt);

public sealed record SiteDto(Guid Id, Guid TenantId, string Name, string? Address, DateTimeOffset CreatedAt);

public sealed record ApartmentResidentDto(Guid Id, string DisplayName, string? Email, bool IsActive);

public sealed record ApartmentDto(Guid Id, Guid TenantId, Guid SiteId, string Number, IReadOnlyList<ApartmentResidentDto> Residents, DateTimeOffset CreatedAt);

/// <param name="Registration">Only when one device is asked for (<c>GET /api/admin/devices/{id}</c>).</param>
public sealed record DeviceDto(
    Guid Id, Guid TenantId, Guid SiteId, Guid? ApartmentId, string Kind, string Name, string SipUsername, string SipRealm,
    bool HasDoorCode, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset? LastCallAt, SipRegistrationDto? Registration = null,
    string SipTransport = SipSecurityNames.Udp, string MediaEncryption = SipSecurityNames.None,
    string AppOpening = "off", DeviceEndpointDto? HttpApi = null, bool HasActionUrl = false);

/// <summary>A camera or a door's HTTP API as the API shows it: its host only, never its credentials.</summary>
public sealed record DeviceEndpointDto(string? Host, bool HasCredentials);

public sealed record ActionUrlDto(string Path, string Token, string Example);

public sealed record SipRegistrationDto(bool Registered, DateTimeOffset? Since, DateTimeOffset? ExpiresAt, int Contacts, string? UserAgent, string? Address);

public sealed record DeviceCreatedDto(DeviceDto Device, string SipPassword);

public sealed record SipPasswordDto(string SipUsername, string SipRealm, string SipPassword);

public sealed record ResidentApartmentDto(Guid Id, Guid SiteId, string Number);

public sealed record ResidentDto(Guid Id, Guid TenantId, string? Email, string DisplayName, bool IsActive,
    IReadOnlyList<ResidentApartmentDto> Apartments, DateTimeOffset CreatedAt);

public sealed record CallDto(
    Guid Id, Guid TenantId, Guid SiteId, Guid DeviceId, string Device, Guid ApartmentId, string Apartment, string Status,
    string Caller, DateTimeOffset StartedAt, DateTimeOffset ExpiresAt, DateTimeOffset? AnsweredAt, DateTimeOffset? EndedAt,
    string? EndReason, bool IsTest, string? SnapshotUrl = null);

/// <summary>A line of a door's log (<c>GET /api/admin/doors/{id}/events</c>).</summary>
public sealed record DoorEventDto(
    Guid Id, Guid DeviceId, string Device, DateTimeOffset OccurredAt, string Kind, string? Method, string? Result,
    string? User, string? Apartment, Guid? CallId, string? SnapshotUrl, System.Text.Json.JsonElement? Details);

public sealed record TestCallDto(Guid CallId, string Room, string Dial);

public sealed record TenantAdminDto(Guid Id, Guid TenantId, string Email, string DisplayName);

/// <summary>A device's SIP transport and media encryption, as the API names them.</summary>
public static class SipSecurityNames
{
    public const string Udp = "udp", Tcp = "tcp", Tls = "tls", None = "none", Sdes = "sdes";

    /// <summary>What the list shows, e.g. "TLS · SRTP".</summary>
    public static string Describe(string transport, string encryption) =>
        $"{transport.ToUpperInvariant()} · {(encryption == Sdes ? "SRTP" : "plain RTP")}";
}

public static class DeviceKinds
{
    public const string DoorIntercom = "door-intercom";
    public const string IndoorMonitor = "indoor-monitor";
}

public static class CallStatusNames
{
    public static readonly IReadOnlyList<string> All = ["ringing", "answered", "ended", "declined", "missed", "cancelled", "failed"];

    public static bool IsFinished(string status) => status is not ("ringing" or "answered");
}

/// <param name="UnreachableSince">Registered, but not answering Asterisk's qualify since then.</param>
public sealed record DeviceStatusDto(Guid DeviceId, Guid TenantId, Guid SiteId, string Name, string Kind, string State, DateTimeOffset Since,
    DateTimeOffset? UnreachableSince);

public sealed record AlertDeliveryDto(string State, int Attempts, DateTimeOffset? LastAttemptAt, int? LastStatusCode, string? LastError,
    DateTimeOffset? DeliveredAt, DateTimeOffset? NextAttemptAt);

public sealed record DeviceAlertDto(Guid Id, Guid TenantId, string Kind, Guid DeviceId, string DeviceName, Guid SiteId, DateTimeOffset RaisedAt,
    DateTimeOffset Since, int Changes, AlertDeliveryDto? Delivery);
