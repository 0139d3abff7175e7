using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Neolia.CallApi.Administration;

/// <summary>
/// A body or query value that cannot even be read (a string where a GUID goes, broken JSON) is the client's mistake:
/// 400 with the field named, like any other validation error, never a 500. Minimal APIs throw
/// <see cref="BadHttpRequestException"/> for it when <c>RouteHandlerOptions.ThrowOnBadRequest</c> is on.
/// </summary>
internal sealed class UnreadableRequestHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;
        http.Response.StatusCode = bad.StatusCode;
        var errors = new Dictionary<string, string[]>();
        if (bad.InnerException is JsonException { Path: { } path } json)
        {
            errors[FieldOf(path)] = [json.Message.Split(" Path:")[0]];
        }
        else if (bad.StatusCode == StatusCodes.Status400BadRequest)
        {
            // "Failed to bind parameter "Guid siteId" from "abc"." names the parameter after the type.
            var name = bad.Message.Split('"') is { Length: > 1 } parts ? parts[1].Split(' ')[^1] : "body";
            errors[name] = [bad.Message];
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = errors.Count > 0
                ? new HttpValidationProblemDetails(errors) { Status = bad.StatusCode, Title = "The request could not be read" }
                : new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = bad.StatusCode, Title = "The request could not be read", Detail = bad.Message },
        });
    }

    // "$.rtsp.url" → "rtsp.url"; "$" (the whole body) → "body".
    private static string FieldOf(string path) => path.TrimStart('$', '.') is { Length: > 0 } field ? field : "body";
}
