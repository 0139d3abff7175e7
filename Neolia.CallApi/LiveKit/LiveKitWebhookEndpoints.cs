namespace Neolia.CallApi.LiveKit;

/// <summary>
/// <c>POST /webhook/livekit</c>: where the LiveKit server posts its events (private network, not routed by the
/// gateway). The signature is the authentication, so the endpoint is anonymous and does not use the Asterisk secret.
/// </summary>
public static class LiveKitWebhookEndpoints
{
    /// <summary>LiveKit's events are small; anything much larger is not from LiveKit.</summary>
    internal const int MaxBodyBytes = 1 << 20;

    public static IEndpointRouteBuilder MapLiveKitWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhook/livekit", ReceiveAsync).WithSummary("LiveKit's webhook (private): participant joined, room finished")
            .WithTags("LiveKit webhooks")
            .ExcludeFromDescription()
            .AllowAnonymous()
            .DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        HttpRequest request, WebhookReceiver receiver, LiveKitEventHandler handler, ILogger<WebhookReceiver> logger, CancellationToken ct)
    {
        // The signature covers the exact bytes sent, so the body is read raw (whatever the content type says;
        // LiveKit sends application/webhook+json) and never through a JSON formatter.
        if (request.ContentLength > MaxBodyBytes) return TooLarge();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return TooLarge();
            buffer.Write(chunk, 0, read);
        }

        var result = receiver.Receive(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), request.Headers.Authorization.ToString());
        switch (result.Failure)
        {
            case WebhookFailure.Unauthorized:
                logger.LogWarning("LiveKit webhook refused: {Reason}", result.Error);
                return TypedResults.Problem(title: "The webhook's signature is not valid", detail: result.Error,
                    statusCode: StatusCodes.Status401Unauthorized);
            case WebhookFailure.Malformed:
                logger.LogWarning("LiveKit webhook malformed: {Reason}", result.Error);
                return TypedResults.Problem(title: "The webhook's body is not a LiveKit event", detail: result.Error,
                    statusCode: StatusCodes.Status400BadRequest);
        }

        await handler.HandleAsync(result.Event!, ct);
        return TypedResults.Ok();
    }

    private static IResult TooLarge() => TypedResults.Problem(title: "The webhook's body is too large",
        statusCode: StatusCodes.Status413PayloadTooLarge);
}
