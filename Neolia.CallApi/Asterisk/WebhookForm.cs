using System.Text.Json;

namespace Neolia.CallApi.Asterisk;

/// <summary>
/// The fields of an Asterisk webhook, whether the dialplan's <c>CURL()</c> sent them form-encoded or a client sent
/// a JSON object. Values are kept as strings: that is what the dialplan has.
/// </summary>
public sealed class WebhookForm
{
    private readonly Dictionary<string, string> _fields;

    private WebhookForm(Dictionary<string, string> fields) => _fields = fields;

    public string? this[string name] => _fields.TryGetValue(name, out var value) && value.Trim() is { Length: > 0 } v ? v : null;

    /// <summary>Reads the body, or answers the problem that tells the client what is wrong with it.</summary>
    public static async Task<(WebhookForm? Form, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            return (new WebhookForm(form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.OrdinalIgnoreCase)), null);
        }
        if (request.HasJsonContentType())
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
                if (document.RootElement.ValueKind != JsonValueKind.Object) return (null, BadBody("The JSON body must be an object."));
                var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    fields[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Null => "",
                        _ => property.Value.GetRawText(),
                    };
                }
                return (new WebhookForm(fields), null);
            }
            catch (JsonException e)
            {
                return (null, BadBody($"The body is not valid JSON: {e.Message}"));
            }
            catch (InvalidOperationException e) when (e.InnerException is System.Text.DecoderFallbackException || e.Message.Contains("UTF", StringComparison.Ordinal))
            {
                // GetString() of a string holding invalid UTF-8 or a lone surrogate escape (\ud800).
                return (null, BadBody("The JSON body holds text that is not valid UTF-8 or UTF-16."));
            }
        }
        return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
            detail: "Send application/x-www-form-urlencoded (as Asterisk's CURL does) or application/json."));
    }

    private static IResult BadBody(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed webhook body", detail: detail);
}
