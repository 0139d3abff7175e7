using Neolia.AdminConsole.Api;
using Neolia.Contracts;

namespace Neolia.AdminConsole.Board;

/// <summary>
/// What the live board shows: calls ringing or in progress now, and those that just finished (newest first, a few).
/// Fed first with the API's latest calls, then by the socket's events, in any order: an update for a call
/// the board has not seen yet still shows it.
/// </summary>
public sealed class LiveBoardState
{
    public const int FinishedKept = 20;
    private readonly Dictionary<Guid, BoardEntry> _calls = [];

    public sealed record BoardEntry(Guid Id, string Device, string Apartment, string Status, DateTimeOffset Since, bool IsTest);

    public IReadOnlyList<BoardEntry> Active => _calls.Values.Where(c => !CallStatusNames.IsFinished(c.Status)).OrderBy(c => c.Since).ToList();

    public IReadOnlyList<BoardEntry> Finished => _calls.Values.Where(c => CallStatusNames.IsFinished(c.Status))
        .OrderByDescending(c => c.Since).Take(FinishedKept).ToList();

    public void Load(IEnumerable<CallDto> calls)
    {
        // An event the socket already delivered is newer than the list: it stays.
        foreach (var c in calls) _calls.TryAdd(c.Id, new BoardEntry(c.Id, c.Device, c.Apartment, c.Status, c.EndedAt ?? c.AnsweredAt ?? c.StartedAt, c.IsTest));
    }

    public void Apply(BoardCall call)
    {
        if (_calls.TryGetValue(call.Id, out var known))
        {
            _calls[call.Id] = known with { Status = call.Status, Since = call.OccurredAt, Device = call.Device ?? known.Device, Apartment = call.Apartment ?? known.Apartment };
        }
        else
        {
            _calls[call.Id] = new BoardEntry(call.Id, call.Device ?? "a door", call.Apartment ?? "?", call.Status, call.OccurredAt, call.IsTest);
        }
        // Keep memory bounded on a board left open for days.
        var finished = _calls.Values.Where(c => CallStatusNames.IsFinished(c.Status)).OrderByDescending(c => c.Since).ToList();
        foreach (var old in finished.Skip(FinishedKept)) _calls.Remove(old.Id);
    }
}
