using System.Net;
using System.Text.Json;

namespace Neolia.AdminConsole.Api;

/// <summary>An RFC 7807 answer of the API, with its per-field errors (validation problems) when it has some.</summary>
public sealed record ApiProblem(HttpStatusCode Status, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    public static ApiProblem Unreachable(string why) => new(HttpStatusCode.ServiceUnavailable, "The API cannot be reached", why, NoErrors);

    public static ApiProblem SessionEnded { get; } =
        new(HttpStatusCode.Unauthorized, "Your session has ended", "Sign in again to continue.", NoErrors);

    public static async Task<ApiProblem> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var title = response.ReasonPhrase ?? response.StatusCode.ToString();
        string? detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String) title = t.GetString()!;
                if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String) detail = d.GetString();
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in e.EnumerateObject())
                    {
                        errors[FieldName(field.Name)] = field.Value.ValueKind == JsonValueKind.Array
                            ? field.Value.EnumerateArray().Select(m => m.GetString() ?? "").ToArray()
                            : [field.Value.ToString()];
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's error page): the status line says enough.
        }
        return new ApiProblem(response.StatusCode, title, detail, errors);
    }

    /// <summary>"request.Number", "Number" and "number" name the same field: the last segment, as the form calls it.</summary>
    private static string FieldName(string key) => key.Split('.')[^1];

    /// <summary>What to show at the top of a form: the detail, or the title when there is none.</summary>
    public string Message => Detail is { Length: > 0 } ? $"{Title}: {Detail}" : Title;
}

/// <summary>The API's answer: a value, or the problem it reported.</summary>
public readonly record struct ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool Ok => Problem is null;

    public static implicit operator ApiResult<T>(ApiProblem problem) => new(default, problem);
}
