using System.Net;

namespace Neolia.Notifier.Push;

/// <summary>What FCM and APNs sends share: a transport failure or timeout is worth a retry; an answer is classified by the sender.</summary>
internal static class PushHttp
{
    public static async Task<(PushResult Result, HttpStatusCode? Status)> SendAsync(HttpClient http, HttpRequestMessage request, string service,
        Func<HttpStatusCode, string, TimeSpan?, PushResult> classify, TimeProvider time, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return (PushResult.Retry($"{service} unreachable: {e.Message}"), null);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode) return (PushResult.Sent(), response.StatusCode);
            var body = await response.Content.ReadAsStringAsync(ct);
            return (classify(response.StatusCode, body, PushResult.RetryAfterOf(response, time)), response.StatusCode);
        }
    }
}
