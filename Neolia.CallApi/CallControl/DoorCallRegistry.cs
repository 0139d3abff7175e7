using System.Collections.Concurrent;

namespace Neolia.CallApi.CallControl;

/// <summary>The door calls this replica controls, found by any channel that belongs to them (door, legs, peer) or by call id.</summary>
internal sealed class DoorCallRegistry
{
    private readonly ConcurrentDictionary<string, DoorCall> _byChannel = new();
    private readonly ConcurrentDictionary<Guid, DoorCall> _byCall = new();

    /// <summary>Takes the door's channel; false when it is controlled already.</summary>
    public bool TryAddDoor(DoorCall call) => _byChannel.TryAdd(call.DoorChannelId, call);

    public void AddChannel(string channelId, DoorCall call)
    {
        lock (call.Channels) call.Channels.Add(channelId);
        _byChannel[channelId] = call;
    }

    public void RemoveChannel(string channelId) => _byChannel.TryRemove(channelId, out _);

    /// <summary>The call can be found by its id (it is set up).</summary>
    public void AddCall(DoorCall call) => _byCall[call.CallId] = call;

    public DoorCall? ByChannel(string channelId) => _byChannel.GetValueOrDefault(channelId);

    public DoorCall? ByCall(Guid callId) => _byCall.GetValueOrDefault(callId);

    /// <summary>How many calls this replica controls (set up, over or not yet forgotten): cheap, for the claim's load.</summary>
    public int LiveCount => _byCall.Count;

    /// <summary>The calls that are set up and not over.</summary>
    public IEnumerable<DoorCall> Live => _byCall.Values.Where(c => !c.Finished);

    /// <summary>Forgets the call and every channel of it.</summary>
    public void Remove(DoorCall call)
    {
        string[] channels;
        lock (call.Channels) channels = [call.DoorChannelId, .. call.Channels];
        foreach (var channel in channels) _byChannel.TryRemove(new KeyValuePair<string, DoorCall>(channel, call));
        if (call.Start is not null) _byCall.TryRemove(new KeyValuePair<Guid, DoorCall>(call.CallId, call));
    }
}
