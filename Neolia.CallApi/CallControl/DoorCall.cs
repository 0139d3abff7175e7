using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>One door call under ARI control, as the controller holds it in memory (rebuilt from the database and Asterisk's channels after a restart).</summary>
internal sealed class DoorCall(string doorChannelId, DoorCallStart start, DateTimeOffset startedAt)
{
    public string DoorChannelId { get; } = doorChannelId;
    public DoorCallStart Start { get; } = start;
    public Guid CallId => Start.CallId;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public string BridgeId => $"neolia-{CallId:N}";
    public string CallerId => $"\"{Start.DeviceName.Replace("\"", "")}\" <{Start.DoorSipUsername}>";

    /// <summary>The SIP legs still ringing: channel id → endpoint.</summary>
    public Dictionary<string, string> Legs { get; } = [];

    /// <summary>Hangup causes of the legs that ended without answering.</summary>
    public List<int> LegCauses { get; } = [];
    public int LegsOriginated { get; set; }

    /// <summary>An app answered: LiveKit SIP's leg is awaited (or connected).</summary>
    public bool AppAnswered { get; set; }

    /// <summary>The channel bridged with the door: the SIP phone that answered, or LiveKit SIP's leg.</summary>
    public string? Peer { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public bool Answered => AppAnswered || Peer is not null;
    public bool Finished { get; set; }
    public ITimer? Timer { get; set; }
}
