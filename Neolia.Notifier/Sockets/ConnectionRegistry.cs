using System.Collections.Concurrent;

namespace Neolia.Notifier.Sockets;

/// <summary>The open sockets of this replica, by resident. A resident may have several (phone, tablet): all ring.</summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<Guid, ResidentConnection[]> _byUser = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add(ResidentConnection connection)
    {
        _byUser.AddOrUpdate(connection.UserId, static (_, c) => [c], static (_, existing, c) => [.. existing, c], connection);
        Interlocked.Increment(ref _count);
    }

    public void Remove(ResidentConnection connection)
    {
        while (_byUser.TryGetValue(connection.UserId, out var existing))
        {
            var remaining = Array.FindAll(existing, c => !ReferenceEquals(c, connection));
            if (remaining.Length == existing.Length) return;
            var swapped = remaining.Length == 0
                ? _byUser.TryRemove(new KeyValuePair<Guid, ResidentConnection[]>(connection.UserId, existing))
                : _byUser.TryUpdate(connection.UserId, remaining, existing);
            if (swapped)
            {
                Interlocked.Decrement(ref _count);
                return;
            }
        }
    }

    /// <summary>A snapshot: arrays are replaced, never changed, so callers may iterate without locks.</summary>
    public ReadOnlySpan<ResidentConnection> Of(Guid userId) =>
        _byUser.TryGetValue(userId, out var connections) ? connections : [];
}
