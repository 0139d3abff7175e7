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
[JsonSerializable(typeof(SipInboundTrunkInfo))]
[JsonSerializable(typeof(SipOutboundTrunkInfo))]
[JsonSerializable(typeof(SipTrunkInfo))]
[JsonSerializable(typeof(CreateSipDispatchRuleRequest))]
[JsonSerializable(typeof(SipDispatchRuleInfo))]
[JsonSerializable(typeof(CreateSipParticipantRequest))]
[JsonSerializable(typeof(SipParticipantInfo))]
[JsonSerializable(typeof(CreateSipInboundTrunkRequest))]
[JsonSerializable(typeof(CreateSipOutboundTrunkRequest))]
[JsonSerializable(typeof(DeleteSipTrunkRequest))]
[JsonSerializable(typeof(ListSipRequest))]
[JsonSerializable(typeof(ListSipInboundTrunkResponse))]
[JsonSerializable(typeof(ListSipOutboundTrunkResponse))]
[JsonSerializable(typeof(ListSipDispatchRuleResponse))]
internal sealed partial class LiveKitJson : JsonSerializerContext;
