using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.LiveKit;

/// <summary>
/// One LiveKit server API call (Twirp, protobuf JSON over HTTP POST), as the official server SDKs make it: each call
/// carries a fresh 10-minute token with only the grants its method needs. It never throws for LiveKit's failures
/// (unreachable, 4xx/5xx, timeout): they are logged and returned, so each caller decides what a failure means.
/// </summary>
internal sealed class TwirpClient(HttpClient http, LiveKitOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>The official SDKs' default for the tokens of server API calls.</summary>
    internal static readonly TimeSpan ApiTokenLifetime = TimeSpan.FromMinutes(10);

    public async Task<RoomServiceResult<TResponse>> SendAsync<TRequest, TResponse>(
        string service, string method, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        VideoGrants? video, SipGrants? sip, string? subject, CancellationToken ct)
        where TResponse : class
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, MethodUri(options.ApiUrl, service, method))
            {
                Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                new AccessToken(options.ApiKey, options.ApiSecret) { Ttl = ApiTokenLifetime, Video = video, Sip = sip }.ToJwt(time));

            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                var error = $"LiveKit answered {(int)response.StatusCode}: {Truncate(text)}";
                logger.LogWarning("LiveKit {Method} for {Subject} failed: {Error}", method, subject, error);
                return new(null, error);
            }
            return new(JsonSerializer.Deserialize(text, responseType) ?? throw new JsonException("empty answer"), null);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Whatever it is (refused connection, the resilience pipeline's timeout or open circuit, a bad answer),
            // the call goes on without it.
            var error = e is OperationCanceledException || e.GetType().Name == "TimeoutRejectedException"
                ? "LiveKit did not answer in time"
                : e.Message;
            // An unreachable or slow LiveKit is an expected condition, said in one line; a stack trace per call would
            // bury the log (megabytes a minute under load). Anything else keeps its exception for diagnosis.
            if (e is HttpRequestException or OperationCanceledException || e.GetType().Name is "TimeoutRejectedException" or "BrokenCircuitException")
                logger.LogWarning("LiveKit {Method} for {Subject} failed: {Error}", method, subject, error);
            else
                logger.LogWarning(e, "LiveKit {Method} for {Subject} failed: {Error}", method, subject, error);
            return new(null, error);
        }
    }

    private static Uri MethodUri(string apiUrl, string service, string method)
    {
        // As the official SDKs: a ws(s):// server address means its http(s):// API.
        var baseUrl = apiUrl.StartsWith("ws", StringComparison.OrdinalIgnoreCase) ? "http" + apiUrl[2..] : apiUrl;
        return new Uri(new Uri(baseUrl.TrimEnd('/') + "/"), $"twirp/livekit.{service}/{method}");
    }

    private static string Truncate(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
