namespace Neolia.CallApi.Calls;

/// <summary>A visitor pressed a door's button: what Asterisk's StasisStart tells us (or an administrator's test call).</summary>
/// <param name="AsteriskCallId">UNIQUEID of the door's channel (a test call makes one up).</param>
/// <param name="TenantSlug">The tenant the door's PJSIP endpoint belongs to (its <c>set_var</c>), when known.</param>
/// <param name="Caller">The door's endpoint name.</param>
/// <param name="Callee">The dialled extension: the apartment number.</param>
/// <param name="IsTest">Rung by an administrator testing the door, not by a visitor (kept in the history).</param>
public sealed record DoorRing(string AsteriskCallId, string? TenantSlug, string Caller, string Callee, bool IsTest = false);

/// <summary>A started door call (or why none was started): what the call control needs to ring the apartment's SIP devices.</summary>
public sealed record DoorCallStart(
    string? RejectReason,
    Guid CallId = default,
    Guid DeviceId = default,
    string DeviceName = "",
    string DoorSipUsername = "",
    string Room = "",
    IReadOnlyList<string>? SipEndpoints = null,
    int Residents = 0,
    DateTimeOffset ExpiresAt = default)
{
    public bool Started => RejectReason is null;
    public static DoorCallStart Rejected(string reason) => new(reason);

    /// <summary>The Asterisk dial string of the apartment's SIP endpoints (<c>PJSIP/a&amp;PJSIP/b</c>); empty when it has none.</summary>
    public string DialString => string.Join('&', (SipEndpoints ?? []).Select(e => $"PJSIP/{e}"));
}
