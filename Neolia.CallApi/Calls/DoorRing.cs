using System.Text.Json.Serialization;

namespace Neolia.CallApi.Calls;

/// <summary>What Asterisk tells us when a visitor presses a door's button.</summary>
/// <param name="AsteriskCallId">UNIQUEID of the door's channel; null only from old dialplans that do not send it.</param>
/// <param name="TenantSlug">The tenant the door's PJSIP endpoint belongs to (its <c>set_var</c>), when sent.</param>
/// <param name="Caller">The door's endpoint name or caller id.</param>
/// <param name="Callee">The dialled extension: the apartment number.</param>
/// <param name="IsTest">Rung by an administrator testing the door, not by a visitor (kept in the history).</param>
public sealed record DoorRing(string? AsteriskCallId, string? TenantSlug, string Caller, string Callee, bool IsTest = false);

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
