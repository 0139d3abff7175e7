using System.Collections.Concurrent;
using System.Text.Json;
using Neolia.Contracts;
using Neolia.Notifier.Sockets;

namespace Neolia.Notifier.AdminBoard;

/// <summary>
/// The admin consoles' live board: every call event of a tenant goes to the sockets of that tenant's administrators,
/// and to platform administrators' sockets (all tenants). Consoles are few, so a flat set is enough.
/// </summary>
public sealed class AdminBoardFanOut
{
    // Socket → the tenant it may see; null for a platform administrator (every tenant).
    private readonly ConcurrentDictionary<ResidentConnection, Guid?> _sockets = new();

    public int Count => _sockets.Count;

    public void Add(ResidentConnection socket, Guid? tenantId) => _sockets[socket] = tenantId;

    public void Remove(ResidentConnection socket) => _sockets.TryRemove(socket, out _);

    public void Deliver(CallEvent callEvent)
    {
        if (_sockets.IsEmpty) return;
        byte[]? message = null;
        foreach (var (socket, tenantId) in _sockets)
        {
            if (tenantId is { } only && only != callEvent.TenantId) continue;
            message ??= JsonSerializer.SerializeToUtf8Bytes(new BoardCallMessage(ToBoardCall(callEvent)), ContractsJson.Default.BoardCallMessage);
            socket.TrySend(message);
        }
    }

    private static BoardCall ToBoardCall(CallEvent e) => new(
        e.CallId, e.TenantId, e.ApartmentId, e.Type, e.Status, e.OccurredAt, e.IsTest,
        e.Call?.Device, e.Call?.Apartment, e.Call?.Caller, e.Call?.ExpiresAt);
}
