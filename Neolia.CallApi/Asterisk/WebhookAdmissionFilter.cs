using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.Asterisk;

/// <summary>
/// Keeps an overload from freezing the webhooks: a bounded number run at once, a bounded queue waits a bounded
/// time, and the rest get a quick 503. Asterisk's dialplan then rings SIP directly, as it does when CallApi is down.
/// Without it, a burst beyond capacity makes every webhook queue behind the others until all miss their 3 s budget.
/// </summary>
public sealed class WebhookAdmissionFilter : IEndpointFilter, IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _queueTimeout;
    private readonly Counter<long> _refused;

    public WebhookAdmissionFilter(IOptions<AsteriskOptions> options, IMeterFactory meters)
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxConcurrentWebhooks,
            QueueLimit = options.Value.WebhookQueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _queueTimeout = options.Value.WebhookQueueTimeout;
        _refused = meters.Create("Neolia.CallApi").CreateCounter<long>("neolia.callapi.webhooks_refused", description: "Webhooks refused because CallApi was overloaded");
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var lease = _limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.HttpContext.RequestAborted);
            wait.CancelAfter(_queueTimeout);
            try { lease = await _limiter.AcquireAsync(1, wait.Token); }
            catch (OperationCanceledException) { lease = null; }
        }
        using (lease)
        {
            if (lease is not { IsAcquired: true })
            {
                _refused.Add(1);
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Overloaded",
                    detail: "Too many door calls at once: ring the apartment over SIP.");
            }
            return await next(context);
        }
    }

    public void Dispose() => _limiter.Dispose();
}
