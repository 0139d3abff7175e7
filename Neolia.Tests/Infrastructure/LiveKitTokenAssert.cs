using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Neolia.Tests.Infrastructure;

public static class LiveKitTokenAssert
{
    /// <summary>Checks a LiveKit token as the LiveKit server would (HS256 with the API secret, issuer = API key, in date) and returns its claims.</summary>
    public static async Task<JsonElement> ValidAsync(string token, string apiKey, string apiSecret)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = apiKey,
            ValidateAudience = false,
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(apiSecret)),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
        });
        Assert.True(result.IsValid, $"LiveKit token rejected: {result.Exception?.Message}");
        var payload = token.Split('.')[1];
        return JsonDocument.Parse(Base64UrlEncoder.Decode(payload)).RootElement.Clone();
    }
}
