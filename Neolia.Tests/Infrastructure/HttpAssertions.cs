namespace Neolia.Tests.Infrastructure;

public static class HttpAssertions
{
    /// <summary>Like EnsureSuccessStatusCode, but the failure says what the server answered.</summary>
    public static async Task EnsureSuccessWithBodyAsync(this HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
    }
}
