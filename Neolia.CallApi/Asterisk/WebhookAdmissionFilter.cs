using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Neolia.CallApi.Asterisk;

/// <summary>
/// Keeps an overload from freezing the webhooks: a bounded number run at once, a bounded queue waits a bounded
/// time, and the rest get a quick 503. Asterisk's dialplan then rings SIP directly, as it does when CallApi is down.
/// Without it, a burst beyond capacity makes every webhook queue behind the others until all miss their 3 s budget.
/// </summary>
public sealed class WebhookAdmission : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _queueTimeout;
    private readonly Counter<long> _refused;

    public WebhookAdmission(IOptions<AsteriskOptions> options, IMeterFactory meters)
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

    /// <summary>A lease to work on one webhook, or null when the webhook is to be refused.</summary>
    public async ValueTask<RateLimitLease?> EnterAsync(CancellationToken aborted)
    {
        var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        wait.CancelAfter(_queueTimeout);
        try
        {
            lease = await _limiter.AcquireAsync(1, wait.Token);
            if (lease.IsAcquired) return lease;
            lease.Dispose();
        }
        catch (OperationCanceledException) { }
        _refused.Add(1);
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// The endpoint filter over <see cref="WebhookAdmission"/>. Endpoint filters are created per request, so the limiter
/// lives in the singleton, not here.
/// </summary>
public sealed class WebhookAdmissionFilter(WebhookAdmission admission) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        using var lease = await admission.EnterAsync(context.HttpContext.RequestAborted);
        if (lease is null)
        {
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Overloaded",
                detail: "Too many door calls at once: ring the apartment over SIP.");
        }
        return await next(context);
    }
}
