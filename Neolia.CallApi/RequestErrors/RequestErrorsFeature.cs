namespace Neolia.CallApi.RequestErrors;

public static class RequestErrorsFeature
{
    /// <summary>
    /// RFC 7807 problem details for every error, and 400/413/503 (never 500) for requests that cannot be read or a
    /// database that cannot be reached (<see cref="UnreadableRequestHandler"/>).
    /// </summary>
    public static IHostApplicationBuilder AddRequestErrors(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<UnreadableRequestHandler>();
        // Always throw for unreadable requests (by default only in Development) so UnreadableRequestHandler names the field.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }
}
