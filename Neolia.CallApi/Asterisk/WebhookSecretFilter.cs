using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.Asterisk;

/// <summary>Admits a webhook only with the shared secret header (compared in constant time).</summary>
public sealed class WebhookSecretFilter(IOptions<AsteriskOptions> options, ILogger<WebhookSecretFilter> logger) : IEndpointFilter
{
    public const string HeaderName = "X-Neolia-Webhook-Secret";

    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Value.WebhookSecret);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = http.Request.Headers[HeaderName].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret))
        {
            logger.LogWarning("Webhook {Path} from {Remote} refused: {Reason}", http.Request.Path,
                http.Connection.RemoteIpAddress, presented.Length == 0 ? "no secret header" : "wrong secret");
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhook secret missing or wrong",
                detail: $"Send the shared secret in the {HeaderName} header.");
        }
        return await next(context);
    }
}
