namespace Neolia.Notifier.CallEvents;

/// <summary>
/// The ids of the call events this replica handled lately, so an event the outbox relay put on the stream a second
/// time is not delivered twice. The relay re-sends a row only seconds after the first copy (its fast-path grace), so
/// a few minutes of ids cover every duplicate; ids are pruned by age and the set is bounded.
/// </summary>
public sealed class SeenCallEvents(TimeProvider time)
{
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private const int Capacity = 200_000;

    private readonly Dictionary<Guid, long> _seen = [];
    private readonly Queue<(Guid Id, long At)> _order = new();
    private readonly object _sync = new();

    /// <returns>True the first time <paramref name="eventId"/> is seen (and always for <see cref="Guid.Empty"/>).</returns>
    public bool FirstTime(Guid eventId)
    {
        if (eventId == Guid.Empty) return true;
        var now = time.GetTimestamp();
        lock (_sync)
        {
            while (_order.TryPeek(out var oldest) && (_order.Count >= Capacity || time.GetElapsedTime(oldest.At, now) > Window))
            {
                _order.Dequeue();
                if (_seen.TryGetValue(oldest.Id, out var at) && at == oldest.At) _seen.Remove(oldest.Id);
            }
            if (!_seen.TryAdd(eventId, now)) return false;
            _order.Enqueue((eventId, now));
            return true;
        }
    }
}
