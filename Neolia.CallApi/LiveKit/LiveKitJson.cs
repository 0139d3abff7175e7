using System.Text.Json.Serialization;

namespace Neolia.CallApi.LiveKit;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AccessToken.Claims))]
[JsonSerializable(typeof(VerifiedClaims))]
[JsonSerializable(typeof(CreateRoomRequest))]
[JsonSerializable(typeof(DeleteRoomRequest))]
[JsonSerializable(typeof(ListRoomsRequest))]
[JsonSerializable(typeof(ListRoomsResponse))]
[JsonSerializable(typeof(LiveKitRoom))]
[JsonSerializable(typeof(DeleteRoomResponse))]
[JsonSerializable(typeof(CreateIngressRequest))]
[JsonSerializable(typeof(ListIngressRequest))]
[JsonSerializable(typeof(ListIngressResponse))]
[JsonSerializable(typeof(DeleteIngressRequest))]
[JsonSerializable(typeof(IngressInfo))]
internal sealed partial class LiveKitJson : JsonSerializerContext;
