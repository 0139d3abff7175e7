using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.CallApi.RequestErrors;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Neolia.CallApi.Asterisk;

/// <summary>
/// Makes a webhook fail fast when PostgreSQL is down, so the dialplan's SIP fallback rings at once instead of after
/// its 3 s timeout: the webhook's database work is not retried (<see cref="NeoliaDb.FailFast"/>), it gets a time budget
/// (<see cref="AsteriskOptions.WebhookDatabaseBudget"/>), and after repeated failures a circuit breaker answers 503
/// without trying at all for a few seconds, then lets one webhook probe the database again.
/// </summary>
public sealed class WebhookDatabaseGuard
{
    private readonly ResiliencePipeline _pipeline;

    public WebhookDatabaseGuard(IOptions<AsteriskOptions> options, ILogger<WebhookDatabaseGuard> logger)
    {
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsDatabaseUnavailable),
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = options.Value.WebhookCircuitBreakDuration,
                OnOpened = args =>
                {
                    logger.LogError("PostgreSQL unavailable: webhooks answer 503 at once for {Duration} (the dialplan rings SIP directly)", args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogInformation("PostgreSQL answers again: webhooks are served");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.Value.WebhookDatabaseBudget)
            .Build();
    }

    /// <summary>Runs the webhook's handler under the guard; a 503 problem when the database cannot serve it now.</summary>
    public async ValueTask<object?> RunAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.RequestServices.GetRequiredService<NeoliaDb>().FailFast = true;
        var aborted = http.RequestAborted;
        try
        {
            return await _pipeline.ExecuteAsync(async token =>
            {
                // The handler's CancellationToken is RequestAborted: make it carry the budget too.
                http.RequestAborted = token;
                var result = await next(context);
                return result is IResult { } r && IsUnavailable(r) ? throw new DatabaseUnavailableException() : result;
            }, aborted);
        }
        catch (Exception e) when (!aborted.IsCancellationRequested && (e is BrokenCircuitException or TimeoutRejectedException or DatabaseUnavailableException || IsDatabaseUnavailable(e)))
        {
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Temporarily unavailable",
                detail: "The database cannot be reached: ring the apartment over SIP.");
        }
        finally
        {
            http.RequestAborted = aborted;
        }
    }

    private static bool IsUnavailable(IResult result) => result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status503ServiceUnavailable };

    private static bool IsDatabaseUnavailable(Exception e) =>
        e is DatabaseUnavailableException or TimeoutRejectedException
        || UnreadableRequestHandler.Classify(e, CancellationToken.None)?.Status == StatusCodes.Status503ServiceUnavailable;

    private sealed class DatabaseUnavailableException() : Exception("The database answered that it is unavailable.");
}

/// <summary>The endpoint filter over <see cref="WebhookDatabaseGuard"/> (filters are per request; the breaker is a singleton).</summary>
public sealed class WebhookDatabaseFilter(WebhookDatabaseGuard guard) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) => guard.RunAsync(context, next);
}
