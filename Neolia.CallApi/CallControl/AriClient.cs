using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Neolia.CallApi.CallControl;

/// <summary>Asterisk answered an ARI request with an error status.</summary>
public sealed class AriException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// The ARI requests call control makes (routes and parameters as in asterisk/asterisk rest-api/api-docs: channels,
/// bridges, endpoints, applications), authenticated with HTTP basic auth from <see cref="CallControlOptions"/>. Query
/// strings carry no secret, so a logged URL never leaks one.
/// </summary>
public sealed class AriClient
{
    /// <summary>The named HttpClient of every Asterisk's requests (no resilience pipeline: see CallControlFeature).</summary>
    public const string HttpClientName = "ari";

    /// <summary>How long one ARI request may take; the gateway waits longer for a call command (GatewayTimeoutTests).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http;
    private readonly string _application;

    public AriClient(HttpClient http, AsteriskServerOptions server, string application)
    {
        _http = http;
        _application = application;
        _http.BaseAddress = new Uri(server.AriUrl!.TrimEnd('/') + "/ari/");
        _http.DefaultRequestHeaders.Authorization = BasicAuthorization(server);
    }

    public static AuthenticationHeaderValue BasicAuthorization(AsteriskServerOptions o) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{o.AriUsername}:{o.AriPassword}")));

    /// <summary>The Asterisk's system name (asterisk.json <c>getInfo</c>, <c>config.name</c>: asterisk.conf's <c>systemname</c>), empty when it has none.</summary>
    public async Task<string> SystemNameAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("asterisk/info?only=config", ct);
        await EnsureSuccessAsync(response, ct);
        var info = await response.Content.ReadFromJsonAsync(AriJson.Default.AriAsteriskInfo, ct);
        return info?.Config?.Name ?? "";
    }

    /// <summary>Indicates ringing to the door (180 Ringing, if not sent yet).</summary>
    public Task RingAsync(string channelId, CancellationToken ct) => SendAsync(HttpMethod.Post, $"channels/{Escape(channelId)}/ring", ct);

    public Task AnswerAsync(string channelId, CancellationToken ct) => SendAsync(HttpMethod.Post, $"channels/{Escape(channelId)}/answer", ct);

    /// <summary>Hangs a channel up with one of <see cref="AriHangupReasons"/>; a channel already gone is not an error.</summary>
    public Task HangupAsync(string channelId, string reason, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, $"channels/{Escape(channelId)}?reason={reason}", ct, tolerateNotFound: true);

    /// <summary>Returns a channel that left the application to the dialplan, after the StasisBroadcast() that handed it over.</summary>
    public Task ContinueAsync(string channelId, CancellationToken ct) => SendAsync(HttpMethod.Post, $"channels/{Escape(channelId)}/continue", ct);

    /// <summary>
    /// Dials <paramref name="endpoint"/> (e.g. <c>PJSIP/alice</c>) as channel <paramref name="channelId"/>; once it
    /// answers it enters the application with <paramref name="appArgs"/> (StasisStart).
    /// </summary>
    /// <param name="originator">The channel this one is dialled for (a door's), or null.</param>
    /// <param name="variables">Channel variables set before the dial (channels.json <c>variables</c> body), e.g. <c>PJSIP_HEADER(add,…)</c> for the INVITE.</param>
    public Task OriginateAsync(string channelId, string endpoint, string appArgs, string callerId, int timeoutSeconds, string? originator, CancellationToken ct,
        IReadOnlyDictionary<string, string>? variables = null) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, $"channels/{Escape(channelId)}?endpoint={Escape(endpoint)}&app={Escape(_application)}&appArgs={Escape(appArgs)}" +
            $"&callerId={Escape(callerId)}&timeout={timeoutSeconds}" + (originator is null ? "" : $"&originator={Escape(originator)}"))
        {
            Content = variables is null ? null : JsonContent.Create(new AriVariables(variables), AriJson.Default.AriVariables),
        }, ct);

    public Task SendDtmfAsync(string channelId, string dtmf, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"channels/{Escape(channelId)}/dtmf?dtmf={Escape(dtmf)}&between=200&duration=200", ct);

    public Task CreateBridgeAsync(string bridgeId, CancellationToken ct) => SendAsync(HttpMethod.Post, $"bridges/{Escape(bridgeId)}?type=mixing", ct);

    /// <summary>
    /// Adds channels to a bridge. Connected-line updates are inhibited: they would re-INVITE the door with the answerer's
    /// name, which an intercom has no use for (and some refuse).
    /// </summary>
    public Task AddToBridgeAsync(string bridgeId, IEnumerable<string> channelIds, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"bridges/{Escape(bridgeId)}/addChannel?channel={Escape(string.Join(',', channelIds))}&inhibitConnectedLineUpdates=true", ct);

    public Task DestroyBridgeAsync(string bridgeId, CancellationToken ct) => SendAsync(HttpMethod.Delete, $"bridges/{Escape(bridgeId)}", ct, tolerateNotFound: true);

    /// <summary>Delivers the events of every endpoint of this technology (ContactStatusChange, EndpointStateChange) to the application.</summary>
    public Task SubscribeToEndpointsAsync(string technology, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"applications/{Escape(_application)}/subscription?eventSource={Escape($"endpoint:{technology}")}", ct);

    /// <summary>
    /// Asks Asterisk to send the application only these event types (applications.json <c>filter</c>, Asterisk 13.26+):
    /// a real Asterisk sends every event of every PJSIP channel, most twice (ChannelVarset, ChannelDialplan, Dial, …),
    /// which call control never reads.
    /// </summary>
    public Task FilterEventsAsync(IEnumerable<string> allowed, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Put, $"applications/{Escape(_application)}/eventFilter")
        {
            Content = JsonContent.Create(new AriEventFilter(allowed.Select(t => new AriEventType(t)).ToList()), AriJson.Default.AriEventFilter),
        }, ct);

    /// <summary>
    /// Claims a channel StasisBroadcast() offered (events.json <c>claimChannel</c>): the first claim wins and the
    /// channel enters this replica's application (StasisStart); another replica's claim came first (409), or the
    /// broadcast is over (404: it timed out, the channel hung up).
    /// </summary>
    /// <returns>True when this replica won the channel.</returns>
    public async Task<bool> ClaimAsync(string channelId, CancellationToken ct)
    {
        using var response = await _http.PostAsync($"events/claim?channelId={Escape(channelId)}&application={Escape(_application)}", null, ct);
        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound) return false;
        await EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <summary>The channels this replica's application is subscribed to (applications.json <c>get</c>): the calls it controls.</summary>
    public async Task<IReadOnlySet<string>> ApplicationChannelsAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync($"applications/{Escape(_application)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return new HashSet<string>();
        await EnsureSuccessAsync(response, ct);
        var application = await response.Content.ReadFromJsonAsync(AriJson.Default.AriApplication, ct);
        return (application?.ChannelIds ?? []).ToHashSet();
    }

    /// <summary>asterisk.json "reloadModule": PUT /asterisk/modules/{moduleName}.</summary>
    public Task ReloadModuleAsync(string module, CancellationToken ct) => SendAsync(HttpMethod.Put, $"asterisk/modules/{Escape(module)}", ct);

    /// <summary>
    /// A device's state (deviceStates.json <c>get</c>). For <c>PJSIP/&lt;account&gt;</c> Asterisk reads the account
    /// (from realtime if it is not in memory), which is what call control asks it for.
    /// </summary>
    public Task GetDeviceStateAsync(string device, CancellationToken ct) => SendAsync(HttpMethod.Get, $"deviceStates/{Escape(device)}", ct);

    public async Task<AriEndpoint?> GetEndpointAsync(string technology, string resource, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"endpoints/{Escape(technology)}/{Escape(resource)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(AriJson.Default.AriEndpoint, ct);
    }

    /// <summary>Whether the channel still exists (channels.json <c>get</c>: 404 once it is gone).</summary>
    public async Task<bool> ChannelExistsAsync(string channelId, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"channels/{Escape(channelId)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureSuccessAsync(response, ct);
        return true;
    }

    /// <summary>The channels in a bridge (bridges.json <c>get</c>); none when the bridge does not exist.</summary>
    public async Task<IReadOnlySet<string>> BridgeChannelsAsync(string bridgeId, CancellationToken ct)
    {
        using var response = await _http.GetAsync($"bridges/{Escape(bridgeId)}", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return new HashSet<string>();
        await EnsureSuccessAsync(response, ct);
        var bridge = await response.Content.ReadFromJsonAsync(AriJson.Default.AriBridge, ct);
        return (bridge?.Channels ?? []).ToHashSet();
    }

    public async Task<IReadOnlyList<AriChannel>> ListChannelsAsync(CancellationToken ct)
    {
        using var response = await _http.GetAsync("channels", ct);
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(AriJson.Default.IReadOnlyListAriChannel, ct) ?? [];
    }

    private Task SendAsync(HttpMethod method, string path, CancellationToken ct, bool tolerateNotFound = false) =>
        SendAsync(new HttpRequestMessage(method, path), ct, tolerateNotFound);

    private async Task SendAsync(HttpRequestMessage request, CancellationToken ct, bool tolerateNotFound = false)
    {
        using var response = await _http.SendAsync(request, ct);
        if (tolerateNotFound && response.StatusCode == HttpStatusCode.NotFound) return;
        await EnsureSuccessAsync(response, ct);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new AriException(response.StatusCode,
            $"ARI {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {(body.Length > 200 ? body[..200] : body)}");
    }

    private static string Escape(string value) => Uri.EscapeDataString(value);
}
