using System.Text.Json.Serialization;

namespace Neolia.CallApi.Calls;

/// <summary>What Asterisk tells us when a visitor presses a door's button.</summary>
/// <param name="AsteriskCallId">UNIQUEID of the door's channel; null only from old dialplans that do not send it.</param>
/// <param name="TenantSlug">The tenant the door's PJSIP endpoint belongs to (its <c>set_var</c>), when sent.</param>
/// <param name="Caller">The door's endpoint name or caller id.</param>
/// <param name="Callee">The dialled extension: the apartment number.</param>
/// <param name="Control">Who drives the call after the ring (<see cref="CallControls"/>).</param>
/// <param name="IsTest">Rung by an administrator testing the door, not by a visitor (kept in the history).</param>
public sealed record DoorRing(string? AsteriskCallId, string? TenantSlug, string Caller, string Callee, string Control = CallControls.Dialplan,
    bool IsTest = false);

/// <summary>Who drives a call once it rings, and so who owns its ring timeout (<see cref="Call.Control"/>).</summary>
public static class CallControls
{
    /// <summary>The dialplan dials (the <c>/webhook/call</c> path): Dial()'s timeout ends the ring.</summary>
    public const string Dialplan = "dialplan";
    /// <summary>CallApi's ARI client (<c>CallControl/</c>) dials, bridges and ends the ring.</summary>
    public const string Ari = "ari";
}

/// <summary>
/// A started door call (or why none was started), whichever way the door reached CallApi: the webhook answers it as
/// <see cref="DialplanAnswer"/>, the ARI call control dials <see cref="SipEndpoints"/> itself.
/// </summary>
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

/// <summary>The answer the dialplan reads with <c>JSON_DECODE</c>.</summary>
public sealed record DialplanAnswer(
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("dial"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Dial = null,
    [property: JsonPropertyName("timeout"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Timeout = null,
    [property: JsonPropertyName("call_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CallId = null,
    [property: JsonPropertyName("room"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Room = null,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null)
{
    public static DialplanAnswer Reject(string reason) => new("reject", Reason: reason);
}
