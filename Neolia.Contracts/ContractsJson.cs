using System.Text.Json;
using System.Text.Json.Serialization;

namespace Neolia.Contracts;

/// <summary>
/// Source-generated serialisation of every contract (camelCase, as the app expects): no reflection on the
/// hot path from webhook to socket.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CallEvent))]
[JsonSerializable(typeof(HelloMessage))]
[JsonSerializable(typeof(IncomingCallMessage))]
[JsonSerializable(typeof(IncomingCall))]
[JsonSerializable(typeof(CallUpdatedMessage))]
[JsonSerializable(typeof(BoardCallMessage))]
[JsonSerializable(typeof(RelayStream))]
[JsonSerializable(typeof(RelayCallList))]
[JsonSerializable(typeof(VideoReport))]
[JsonSerializable(typeof(SiteOpeningList))]
[JsonSerializable(typeof(OpeningSnapshotList))]
[JsonSerializable(typeof(SiteOpeningReport))]
public sealed partial class ContractsJson : JsonSerializerContext;
