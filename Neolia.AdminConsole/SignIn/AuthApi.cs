using System.Net.Http.Json;
using System.Text.Json;
using Neolia.AdminConsole.Api;

namespace Neolia.AdminConsole.SignIn;

/// <summary>CallApi's <c>/api/auth</c> through the gateway: sign in, refresh (rotating), sign out.</summary>
public sealed class AuthApi(HttpClient http, TimeProvider time)
{
    private sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

    public async Task<ApiResult<ApiTokens>> LoginAsync(string email, string password, CancellationToken ct) =>
        await PostAsync("api/auth/login", new { email, password }, ct);

    public async Task<ApiResult<ApiTokens>> RefreshAsync(string refreshToken, CancellationToken ct) =>
        await PostAsync("api/auth/refresh", new { refreshToken }, ct);

    public async Task LogoutAsync(string refreshToken, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("api/auth/logout", new { refreshToken }, ct);
    }

    private async Task<ApiResult<ApiTokens>> PostAsync(string path, object body, CancellationToken ct)
    {
        try
        {
            using var response = await http.PostAsJsonAsync(path, body, JsonSerializerOptions.Web, ct);
            if (!response.IsSuccessStatusCode) return await ApiProblem.ReadAsync(response, ct);
            var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>(JsonSerializerOptions.Web, ct))!;
            return new ApiResult<ApiTokens>(
                new ApiTokens(tokens.AccessToken, tokens.RefreshToken, time.GetUtcNow().AddSeconds(tokens.ExpiresIn)), null);
        }
        catch (HttpRequestException e)
        {
            return ApiProblem.Unreachable(e.Message);
        }
    }
}
