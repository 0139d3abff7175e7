using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Neolia.AdminConsole.SignIn;

namespace Neolia.AdminConsole.Api;

/// <summary>
/// Neolia's public API through the gateway, as the signed-in administrator: their access token on every request,
/// refreshed when it is about to expire or is refused once. When the session cannot be renewed, the browser is sent
/// to the sign-in page.
/// </summary>
public sealed class NeoliaApi(HttpClient http, ConsoleUser user, NavigationManager navigation, ILogger<NeoliaApi> logger)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public Task<ApiResult<PagedList<T>>> PageAsync<T>(string path, int page, int pageSize, string? search = null,
        IEnumerable<KeyValuePair<string, string?>>? filters = null, CancellationToken ct = default)
    {
        var query = new List<KeyValuePair<string, string?>> { new("page", page.ToString()), new("pageSize", pageSize.ToString()) };
        if (!string.IsNullOrWhiteSpace(search)) query.Add(new("search", search.Trim()));
        if (filters is not null) query.AddRange(filters.Where(f => !string.IsNullOrEmpty(f.Value)));
        return SendAsync<PagedList<T>>(HttpMethod.Get, path + QueryString.Create(query), null, ct);
    }

    public Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Get, path, null, ct);

    public Task<ApiResult<T>> PostAsync<T>(string path, object? body, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Post, path, body, ct);

    public Task<ApiResult<T>> PutAsync<T>(string path, object? body, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Put, path, body, ct);

    /// <summary>A request whose answer has no body worth reading (204, or a resource the page reloads anyway).</summary>
    public async Task<ApiProblem?> SendAsync(HttpMethod method, string path, object? body = null, CancellationToken ct = default) =>
        (await SendAsync<JsonElement>(method, path, body, ct)).Problem;

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        try
        {
            var token = await user.AccessTokenAsync(forceRefresh: false, ct);
            if (token is null) return SessionEnded();
            using var response = await SendOnceAsync(method, path, body, token, ct);
            if (response.StatusCode != HttpStatusCode.Unauthorized) return await ReadAsync<T>(response, ct);

            // Refused although it looked fresh (revoked, or the clock): one refresh, one more try.
            token = await user.AccessTokenAsync(forceRefresh: true, ct);
            if (token is null) return SessionEnded();
            using var retried = await SendOnceAsync(method, path, body, token, ct);
            return retried.StatusCode == HttpStatusCode.Unauthorized ? SessionEnded() : await ReadAsync<T>(retried, ct);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("{Method} {Path} failed: {Message}", method, path, e.Message);
            return ApiProblem.Unreachable(e.Message);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, object? body, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        return await http.SendAsync(request, ct);
    }

    private static async Task<ApiResult<T>> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode) return await ApiProblem.ReadAsync(response, ct);
        if (response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0) return new ApiResult<T>(default, null);
        return new ApiResult<T>(await response.Content.ReadFromJsonAsync<T>(Json, ct), null);
    }

    private ApiProblem SessionEnded()
    {
        navigation.NavigateTo(ConsoleRoutes.SignIn + "?ended=true", forceLoad: true);
        return ApiProblem.SessionEnded;
    }
}
