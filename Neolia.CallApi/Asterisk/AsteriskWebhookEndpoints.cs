using Neolia.CallApi.Calls;

namespace Neolia.CallApi.Asterisk;

/// <summary>
/// What the dialplan in <c>containers/asterisk/extensions.conf</c> calls. Private: the gateway does not route
/// <c>/webhook</c>; Asterisk reaches CallApi on the internal network and proves itself with the shared secret.
/// </summary>
public static class AsteriskWebhookEndpoints
{
    public static IEndpointRouteBuilder MapAsteriskWebhooks(this IEndpointRouteBuilder app)
    {
        // Left out of the public API document: the gateway does not route them; the dialplan is their only client.
        var webhooks = app.MapGroup("/webhook").WithTags("Asterisk webhooks").AllowAnonymous().ExcludeFromDescription()
            .AddEndpointFilter<WebhookSecretFilter>()
            .AddEndpointFilter<WebhookAdmissionFilter>()
            .AddEndpointFilter<WebhookDatabaseFilter>()
            .DisableAntiforgery();
        webhooks.MapPost("/call", CallStartedAsync).WithSummary("Asterisk's door-call webhook (private): who to dial");
        webhooks.MapPost("/call/end", CallEndedAsync).WithSummary("Asterisk's hangup webhook (private): the call's outcome");
        return app;
    }

    /// <summary>What <c>/webhook/call/end</c> answers: the call's status after the hangup.</summary>
    public sealed record HangupAnswer(
        [property: System.Text.Json.Serialization.JsonPropertyName("call_id")] string CallId,
        [property: System.Text.Json.Serialization.JsonPropertyName("status")] string Status);

    /// <summary>
    /// The dialplan's hangup handler: <c>call_id</c> (UNIQUEID), <c>dialstatus</c> (DIALSTATUS), <c>answered_sec</c>
    /// (ANSWEREDTIME), <c>dialed_sec</c> (DIALEDTIME), <c>cause</c> (HANGUPCAUSE). Idempotent: a repeat answers the
    /// same status and changes nothing.
    /// </summary>
    private static async Task<IResult> CallEndedAsync(HttpRequest request, CallLifecycle lifecycle, ILogger<CallLifecycle> logger, CancellationToken ct)
    {
        var (form, problem) = await WebhookForm.ReadAsync(request, ct);
        if (form is null) return problem!;

        var errors = new Dictionary<string, string[]>();
        var callId = Field(form, "call_id", 150, required: true, errors);
        var dialStatus = Field(form, "dialstatus", 32, required: false, errors);
        var answeredSeconds = Seconds(form, "answered_sec", errors);
        var dialedSeconds = Seconds(form, "dialed_sec", errors);
        var cause = Field(form, "cause", 32, required: false, errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The webhook's fields are invalid");

        var status = await lifecycle.EndFromAsteriskAsync(new AsteriskHangup(callId!, dialStatus, answeredSeconds, dialedSeconds, cause), ct);
        if (status is null)
        {
            logger.LogWarning("Hangup for unknown call {CallId} (DIALSTATUS {DialStatus}, cause {Cause}) ignored", callId, dialStatus, cause);
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown call",
                detail: $"No call has the id '{callId}'.");
        }
        return TypedResults.Ok(new HangupAnswer(callId!, status));
    }

    /// <summary>A duration in whole seconds; Asterisk leaves ANSWEREDTIME empty when nothing answered.</summary>
    private static int? Seconds(WebhookForm form, string name, Dictionary<string, string[]> errors)
    {
        var value = form[name];
        if (value is null) return null;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)) return seconds;
        errors[name] = [$"The {name} field must be a whole number of seconds."];
        return null;
    }

    private static async Task<IResult> CallStartedAsync(HttpRequest request, DoorCallService doorCalls, CancellationToken ct)
    {
        var (form, problem) = await WebhookForm.ReadAsync(request, ct);
        if (form is null) return problem!;

        var errors = new Dictionary<string, string[]>();
        var ring = new DoorRing(
            AsteriskCallId: Field(form, "call_id", 150, required: false, errors),
            TenantSlug: Field(form, "tenant", 63, required: false, errors),
            Caller: Field(form, "caller", 200, required: true, errors) ?? "",
            Callee: Field(form, "callee", 32, required: true, errors) ?? "");
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The webhook's fields are invalid");

        return TypedResults.Ok(await doorCalls.AnswerDialplanAsync(ring, ct));
    }

    private static string? Field(WebhookForm form, string name, int maxLength, bool required, Dictionary<string, string[]> errors)
    {
        var value = form[name];
        if (value is null)
        {
            if (required) errors[name] = [$"The {name} field is required."];
            return null;
        }
        if (value.Length > maxLength) errors[name] = [$"The {name} field must be at most {maxLength} characters."];
        else if (RequestErrors.SingleLineAttribute.HasControlCharacters(value)) errors[name] = [$"The {name} field must not contain control characters."];
        return value;
    }
}
