using Neolia.CallApi.Calls;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// One door call under ARI control, as this replica holds it in memory (rebuilt from the database and Asterisk's
/// channels after a reconnect). Its state is touched only by the steps of its own <see cref="Work"/>.
/// </summary>
internal sealed class DoorCall
{
    /// <param name="stillControls">Asked before each step: whether this replica still controls the call (null: always).</param>
    public DoorCall(AsteriskServer asterisk, string doorChannelId, string tenant, string doorEndpoint, string apartment, DateTimeOffset startedAt, ILogger logger,
        Func<DoorCall, ValueTask<bool>>? stillControls = null)
    {
        Asterisk = asterisk;
        DoorChannelId = doorChannelId;
        Tenant = tenant;
        DoorEndpoint = doorEndpoint;
        Apartment = apartment;
        StartedAt = startedAt;
        Work = new SerialWork(logger, stillControls is null ? null : () => stillControls(this));
    }

    /// <summary>The Asterisk the door called into: every ARI request of the call goes to it.</summary>
    public AsteriskServer Asterisk { get; }
    public string DoorChannelId { get; }
    /// <summary>The StasisStart arguments of the door's channel.</summary>
    public string Tenant { get; }
    public string DoorEndpoint { get; }
    public string Apartment { get; }
    public DateTimeOffset StartedAt { get; }
    public SerialWork Work { get; }

    /// <summary>The call as recorded; null until the call is set up.</summary>
    public DoorCallStart? Start { get; set; }
    public Guid CallId => Start!.CallId;
    public string BridgeId => BridgeIdOf(CallId);
    public static string BridgeIdOf(Guid callId) => $"neolia-{callId:N}";
    public string CallerId => $"\"{Start!.DeviceName.Replace("\"", "")}\" <{Start.DoorSipUsername}>";

    /// <summary>Every channel of the call besides the door's (legs, peer) that the registry finds it by.</summary>
    public HashSet<string> Channels { get; } = [];

    /// <summary>The SIP legs still ringing: channel id → endpoint.</summary>
    public Dictionary<string, string> Legs { get; } = [];

    /// <summary>Legs that reached their phone (it rang): their end is that device's final answer.</summary>
    public HashSet<string> RangLegs { get; } = [];

    /// <summary>How often each endpoint was dialled for this call.</summary>
    public Dictionary<string, int> Dials { get; } = [];

    /// <summary>Endpoints that gave their answer for this call (rang, declined): never dialled again for it.</summary>
    public HashSet<string> Answered { get; } = [];

    /// <summary>Hangup causes of the legs that ended without answering.</summary>
    public List<int> LegCauses { get; } = [];
    public int LegsOriginated { get; set; }

    /// <summary>An app answered: LiveKit SIP's leg is awaited (or connected).</summary>
    public bool AppAnswered { get; set; }

    /// <summary>The channel bridged with the door: the SIP phone that answered, or LiveKit SIP's leg.</summary>
    public string? Peer { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public bool IsAnswered => AppAnswered || Peer is not null;
    public bool Finished { get; set; }
    public ITimer? Timer { get; set; }
}
