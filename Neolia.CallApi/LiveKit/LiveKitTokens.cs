using Microsoft.Extensions.Options;

namespace Neolia.CallApi.LiveKit;

/// <summary>The LiveKit access tokens Neolia hands out, with the grants each kind of participant needs.</summary>
public sealed class LiveKitTokens(IOptions<LiveKitOptions> options, TimeProvider time)
{
    public string ClientUrl => options.Value.Url;

    public static string ResidentIdentity(Guid userId) => $"user:{userId}";
    public static string DoorIdentity(Guid deviceId) => $"door:{deviceId}";

    /// <summary>A resident joins the call's room, sees the door and (later) talks through the room.</summary>
    public string ForResident(string room, Guid userId, string? name = null) => Create(ResidentIdentity(userId), name, new VideoGrants
    {
        RoomJoin = true,
        Room = room,
        CanPublish = true,
        CanSubscribe = true,
        CanPublishData = true,
    });

    private string Create(string identity, string? name, VideoGrants grants)
    {
        var o = options.Value;
        return new AccessToken(o.ApiKey, o.ApiSecret) { Identity = identity, Name = name, Ttl = o.TokenLifetime, Video = grants }.ToJwt(time);
    }
}
