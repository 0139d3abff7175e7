namespace Neolia.CallApi.Calls;

public enum CallActionOutcome
{
    Done,
    /// <summary>No such call among the caller's apartments (another tenant's or apartment's call looks the same).</summary>
    NotFound,
    /// <summary>The call exists but its status does not allow the action (someone else answered, it ended, …).</summary>
    Conflict,
}

public sealed record CallActionResult(CallActionOutcome Outcome, string? Status = null, string? Room = null, string? Detail = null,
    DateTimeOffset? OpenedAt = null, string? DoorCode = null)
{
    public static readonly CallActionResult NotFound = new(CallActionOutcome.NotFound);
    public static CallActionResult Done(string status, string? room = null, DateTimeOffset? openedAt = null, string? doorCode = null) =>
        new(CallActionOutcome.Done, status, room, OpenedAt: openedAt, DoorCode: doorCode);
    public static CallActionResult Conflict(string status, string detail) => new(CallActionOutcome.Conflict, status, Detail: detail);
}
