using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Neolia.Contracts;

namespace Neolia.MediaRelay.Openings;

/// <summary>
/// Triggers a door's relay through the Akuvox HTTP API on the building's network, as Akuvox's "HTTP API" manual
/// describes it for its door phones and access controllers (firmware with the JSON API): <c>POST /api/relay/trig</c>
/// with <c>{"target":"relay","action":"trig","data":{"mode":0,"num":&lt;relay&gt;,"level":1,"delay":0}}</c>, HTTP
/// basic or digest authentication (whichever the door asks for: the web page's account, or a dedicated HTTP API
/// user), answered <c>{"retcode":0,"message":"OK"}</c>. Never logs the credentials.
/// </summary>
public sealed class AkuvoxDoorClient(ILogger<AkuvoxDoorClient> logger)
{
    public const string TriggerPath = "/api/relay/trig";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);

    public async Task<SiteOpeningReport> TriggerAsync(SiteOpening opening, CancellationToken ct)
    {
        var baseUri = new Uri(opening.DoorHttpUrl.TrimEnd('/') + "/");
        var target = new Uri(baseUri, TriggerPath.TrimStart('/'));
        // One handler per opening: it answers the door's own challenge (Basic or Digest) with this door's account only.
        using var handler = new SocketsHttpHandler { ConnectTimeout = Timeout, UseProxy = false };
        if (opening.Username is not null)
        {
            var credential = new NetworkCredential(opening.Username, opening.Password ?? "");
            handler.Credentials = new CredentialCache { { target, "Digest", credential }, { target, "Basic", credential } };
        }
        using var http = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await http.PostAsJsonAsync(target, new RelayTrigger("relay", "trig", new RelayTriggerData(0, opening.Relay, 1, 0)),
                AkuvoxJson.Default.RelayTrigger, ct);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return new SiteOpeningReport("failed", $"the door refused the HTTP API credentials ({(int)response.StatusCode})");
            }
            if (!response.IsSuccessStatusCode) return new SiteOpeningReport("failed", $"the door answered {(int)response.StatusCode}");
            var answer = await response.Content.ReadFromJsonAsync(AkuvoxJson.Default.RelayTriggerAnswer, ct);
            return answer?.RetCode is null or 0
                ? new SiteOpeningReport("opened")
                : new SiteOpeningReport("failed", $"the door answered retcode {answer.RetCode}: {answer.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Door {DeviceId} unreachable at {Host}: {Error}", opening.DeviceId, baseUri.Authority, e.Message);
            return new SiteOpeningReport("door_unreachable", "the door's HTTP API did not answer");
        }
        catch (System.Text.Json.JsonException)
        {
            return new SiteOpeningReport("opened", "the door answered 2xx with a body that is not JSON");
        }
    }
}

public sealed record RelayTrigger(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("data")] RelayTriggerData Data);

/// <param name="Mode">0: trigger (open for the relay's own hold time).</param>
/// <param name="Num">Which relay (1 = relay A).</param>
/// <param name="Level">1: activate.</param>
/// <param name="Delay">Seconds before it triggers.</param>
public sealed record RelayTriggerData(
    [property: JsonPropertyName("mode")] int Mode,
    [property: JsonPropertyName("num")] int Num,
    [property: JsonPropertyName("level")] int Level,
    [property: JsonPropertyName("delay")] int Delay);

public sealed record RelayTriggerAnswer(
    [property: JsonPropertyName("retcode")] int? RetCode,
    [property: JsonPropertyName("message")] string? Message);

[JsonSerializable(typeof(RelayTrigger))]
[JsonSerializable(typeof(RelayTriggerAnswer))]
internal sealed partial class AkuvoxJson : JsonSerializerContext;
