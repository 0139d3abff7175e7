using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Neolia.Contracts;

namespace Neolia.MediaRelay.Relaying;

public enum StreamAnswer
{
    Ready,
    /// <summary>Nothing to stream for this call any more (over, not ours, no camera): stop for good.</summary>
    Gone,
    /// <summary>CallApi or LiveKit did not answer: try again.</summary>
    Unavailable,
}

/// <summary>
/// CallApi's relay API (<see cref="MediaRelayApi"/>): the stack's prefix with the shared secret, or the site prefix
/// with the site's credential. Its answers carry camera credentials, so nothing of them is logged here.
/// </summary>
public sealed class RelayApiClient(HttpClient http, IOptions<RelayOptions> options)
{
    private readonly RelayOptions _o = options.Value;

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var prefix = _o.IsSite ? MediaRelayApi.SitePrefix : MediaRelayApi.StackPrefix;
        var request = new HttpRequestMessage(method, new Uri(new Uri(_o.CallApiUrl.TrimEnd('/') + "/"), prefix.TrimStart('/') + path)) { Content = content };
        if (_o.IsSite) request.Headers.Add(MediaRelayApi.SiteCredentialHeader, $"{_o.SiteId}:{_o.Credential}");
        else request.Headers.Add(MediaRelayApi.StackSecretHeader, _o.Secret);
        return request;
    }

    /// <summary>The calls to stream; with a wait, CallApi answers when the list differs from <paramref name="tag"/>'s.</summary>
    public async Task<RelayCallList> ListCallsAsync(int waitSeconds, string? tag, CancellationToken ct)
    {
        var query = $"/calls?wait={waitSeconds}" + (tag is null ? "" : $"&tag={Uri.EscapeDataString(tag)}");
        using var response = await http.SendAsync(Request(HttpMethod.Get, query), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ContractsJson.Default.RelayCallList, ct) ?? throw new HttpRequestException("empty answer");
    }

    public async Task<(StreamAnswer Answer, RelayStream? Stream)> StreamAsync(Guid callId, CancellationToken ct)
    {
        try
        {
            using var response = await http.SendAsync(Request(HttpMethod.Post, $"/calls/{callId}/stream"), ct);
            if (response.IsSuccessStatusCode)
            {
                return (StreamAnswer.Ready, await response.Content.ReadFromJsonAsync(ContractsJson.Default.RelayStream, ct));
            }
            return response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone or HttpStatusCode.Conflict
                ? (StreamAnswer.Gone, null)
                : (StreamAnswer.Unavailable, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (StreamAnswer.Unavailable, null);
        }
    }

    public async Task PutSnapshotAsync(Guid callId, byte[] jpeg, CancellationToken ct)
    {
        var content = new ByteArrayContent(jpeg);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await http.SendAsync(Request(HttpMethod.Put, $"/calls/{callId}/snapshot", content), ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The openings from the app of the last moments whose door camera this relay reaches, still without a picture.</summary>
    public async Task<OpeningSnapshotList> ListOpeningSnapshotsAsync(CancellationToken ct)
    {
        using var response = await http.SendAsync(Request(HttpMethod.Get, "/opening-snapshots"), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ContractsJson.Default.OpeningSnapshotList, ct) ?? throw new HttpRequestException("empty answer");
    }

    /// <returns>False when CallApi wants it no more (a picture is there already, or the opening is not this relay's).</returns>
    public async Task<bool> PutOpeningSnapshotAsync(Guid eventId, byte[] jpeg, CancellationToken ct)
    {
        var content = new ByteArrayContent(jpeg);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var response = await http.SendAsync(Request(HttpMethod.Put, $"/openings/{eventId}/snapshot", content), ct);
        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound) return false;
        response.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>The site's door openings to carry out, claimed for this box (site mode); with a wait, answered as soon as there is one.</summary>
    public async Task<SiteOpeningList> ClaimOpeningsAsync(int waitSeconds, CancellationToken ct)
    {
        using var response = await http.SendAsync(Request(HttpMethod.Get, $"/openings?wait={waitSeconds}"), ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(ContractsJson.Default.SiteOpeningList, ct) ?? throw new HttpRequestException("empty answer");
    }

    public async Task ReportOpeningAsync(Guid eventId, SiteOpeningReport report, CancellationToken ct)
    {
        var content = JsonContent.Create(report, ContractsJson.Default.SiteOpeningReport);
        using var response = await http.SendAsync(Request(HttpMethod.Post, $"/openings/{eventId}/result", content), ct);
        response.EnsureSuccessStatusCode();
    }

    public async Task ReportVideoAsync(Guid callId, string state, string? reason, CancellationToken ct)
    {
        var content = JsonContent.Create(new VideoReport(state, reason), ContractsJson.Default.VideoReport);
        using var response = await http.SendAsync(Request(HttpMethod.Post, $"/calls/{callId}/video", content), ct);
        response.EnsureSuccessStatusCode();
    }
}
