using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Neolia.CallApi.RequestErrors;

/// <summary>
/// The one place where a request that cannot be read becomes a client error instead of a 500: a body or query value
/// of the wrong type, broken or non-UTF-8 JSON, a lone surrogate, a form past the form limits, a malformed multipart
/// body, a body past Kestrel's size limit (413), or text PostgreSQL cannot store (a NUL character, SQLSTATE 22021).
/// Minimal APIs throw <see cref="BadHttpRequestException"/> for binding failures when
/// <c>RouteHandlerOptions.ThrowOnBadRequest</c> is on; the rest surface as the exceptions named in <see cref="Classify"/>.
/// A database that cannot be reached is not the client's fault: 503 with Retry-After, so callers (Asterisk's
/// dialplan among them) fall back or retry instead of reading a 500.
/// </summary>
internal sealed class UnreadableRequestHandler(IProblemDetailsService problems, ILogger<UnreadableRequestHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (http.Response.HasStarted) return false;
        var problem = Classify(exception, http.RequestAborted);
        if (problem is null) return false;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogWarning("{Method} {Path} answered 503: {Reason}", http.Request.Method, http.Request.Path, exception.GetBaseException().Message);
            http.Response.Headers.RetryAfter = "1";
        }
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, Exception = exception, ProblemDetails = problem });
    }

    /// <summary>The problem to answer for <paramref name="exception"/>, or null when it is a server fault (500).</summary>
    internal static ProblemDetails? Classify(Exception exception, CancellationToken requestAborted)
    {
        if (exception is BadHttpRequestException bad) return FromBadRequest(bad);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException { SqlState: PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter }:
                    return Unreadable("body", "A text field holds a character that cannot be stored (such as a NUL character).");
                case NpgsqlException npgsql when npgsql.IsTransient || npgsql is not PostgresException:
                    return Unavailable();
                case TimeoutException when exception is NpgsqlException || e.InnerException is NpgsqlException:
                    return Unavailable();
                case DecoderFallbackException or EncoderFallbackException:
                    return Unreadable("body", "The request holds text that is not valid UTF-8 or UTF-16 (a broken byte sequence or a lone surrogate).");
                case JsonException json:
                    return Unreadable(FieldOf(json.Path), json.Message.Split(" Path:")[0]);
                case InvalidDataException data:
                    // Form limits: more than 1,024 fields, a key over 2,048 characters, a value over 4 MiB, a bad multipart body.
                    return data.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase)
                        ? new ProblemDetails { Status = StatusCodes.Status413PayloadTooLarge, Title = "The request is too large", Detail = data.Message }
                        : Unreadable("body", data.Message);
                case IOException when !requestAborted.IsCancellationRequested:
                    return Unreadable("body", "The request body ended before it was complete.");
            }
        }
        return null;
    }

    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException { Path: { } path } json) return Unreadable(FieldOf(path), json.Message.Split(" Path:")[0], bad.StatusCode);
        if (bad.StatusCode != StatusCodes.Status400BadRequest)
        {
            return new ProblemDetails { Status = bad.StatusCode, Title = "The request could not be read", Detail = bad.Message };
        }
        // "Failed to bind parameter "Guid siteId" from "abc"." names the parameter after the type.
        var name = bad.Message.Split('"') is { Length: > 1 } parts ? parts[1].Split(' ')[^1] : "body";
        return Unreadable(name, bad.Message);
    }

    private static HttpValidationProblemDetails Unreadable(string field, string message, int status = StatusCodes.Status400BadRequest) =>
        new(new Dictionary<string, string[]> { [field] = [message] }) { Status = status, Title = "The request could not be read" };

    private static ProblemDetails Unavailable() => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Title = "Temporarily unavailable",
        Detail = "The database cannot be reached; try again shortly.",
    };

    // "$.rtsp.url" → "rtsp.url"; "$" (the whole body) → "body".
    private static string FieldOf(string? path) => path?.TrimStart('$', '.') is { Length: > 0 } field ? field : "body";
}
