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
        var webhooks = app.MapGroup("/webhook").WithTags("Asterisk webhooks").AllowAnonymous()
            .AddEndpointFilter<WebhookSecretFilter>()
            .AddEndpointFilter<WebhookAdmissionFilter>()
            .DisableAntiforgery();
        webhooks.MapPost("/call", CallStartedAsync);
        return app;
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

        return TypedResults.Ok(await doorCalls.StartAsync(ring, ct));
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
        return value;
    }
}
