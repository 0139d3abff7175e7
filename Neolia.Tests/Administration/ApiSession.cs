using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Administration;

/// <summary>A signed-in user calling the API through the gateway, as the app or an admin console does.</summary>
public sealed class ApiSession(HttpClient gateway, TokenPair? tokens)
{
    public TokenPair? Tokens { get; } = tokens;

    public static async Task<ApiSession> SignInAsync(StackFixture stack, string email, string? password = null) =>
        new(stack.Gateway, await stack.LoginAsync(email, password));

    public static ApiSession Anonymous(StackFixture stack) => new(stack.Gateway, null);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (Tokens is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.AccessToken);
        if (body is string json) request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        return await gateway.SendAsync(request);
    }

    /// <summary>Sends and expects success; answers the JSON body (or an empty object for 204).</summary>
    public async Task<JsonElement> OkAsync(HttpMethod method, string path, object? body = null)
    {
        using var response = await SendAsync(method, path, body);
        await response.EnsureSuccessWithBodyAsync();
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? JsonDocument.Parse("{}").RootElement : JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task<JsonElement> GetAsync(string path) => OkAsync(HttpMethod.Get, path);
    public Task<JsonElement> PostAsync(string path, object? body = null) => OkAsync(HttpMethod.Post, path, body);
}

public static class JsonIds
{
    public static Guid Id(this JsonElement element, string property = "id") => element.GetProperty(property).GetGuid();
}
