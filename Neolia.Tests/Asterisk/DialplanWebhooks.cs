using System.Globalization;
using System.Text;

namespace Neolia.Tests.Asterisk;

/// <summary>The HTTP request one <c>CURL()</c> of the dialplan sends, with the channel's variables replaced by samples.</summary>
public sealed record WebhookRequest(
    Uri Url,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Body,
    double? ConnectTimeoutSeconds,
    double? TotalTimeoutSeconds,
    DialplanStep Step)
{
    public string Path => Url.AbsolutePath;

    /// <summary>The form fields as a server decodes them (application/x-www-form-urlencoded).</summary>
    public IReadOnlyDictionary<string, string> Form => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .ToDictionary(p => Decode(p[0]), p => p.Length > 1 ? Decode(p[1]) : "");

    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).SingleOrDefault();

    /// <summary>What CURL puts on the wire: a POST with exactly these headers and this body.</summary>
    public HttpRequestMessage ToHttpRequestMessage()
    {
        var message = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body)) };
        foreach (var (name, value) in Headers)
        {
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) message.Content.Headers.TryAddWithoutValidation(name, value);
            else message.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

/// <summary>
/// Finds the dialplan's <c>CURL(url,post-data)</c> calls and builds the requests they send. CURL options
/// (<c>Set(CURLOPT(key)=value)</c>) belong to the channel: a CURL in a hangup handler uses those set, on the
/// same channel, before the handler was pushed; a CURL elsewhere uses those set before it in its extension.
/// </summary>
public static class DialplanWebhooks
{
    public static IReadOnlyList<WebhookRequest> Build(Dialplan dialplan, DialplanExpressions expressions)
    {
        var requests = new List<WebhookRequest>();
        foreach (var step in dialplan.Steps)
        {
            foreach (var call in DialplanExpressions.FunctionCalls(step.Arguments, "CURL"))
            {
                var arguments = DialplanExpressions.SplitArguments(call);
                if (arguments.Count != 2) throw new FormatException($"Line {step.Line}: a webhook CURL() must POST (url,post-data): {call}");
                var options = OptionsInEffect(dialplan, step);
                var headers = options.Where(o => o.Key == "httpheader").Select(o => ParseHeader(expressions.Expand(o.Value))).ToList();
                requests.Add(new WebhookRequest(
                    new Uri(expressions.Expand(arguments[0]), UriKind.Absolute),
                    headers,
                    expressions.Expand(arguments[1]),
                    Seconds(options, "conntimeout"),
                    Seconds(options, "httptimeout"),
                    step));
            }
        }
        return requests;
    }

    /// <summary>The <c>CURLOPT</c> settings a CURL at <paramref name="curl"/> runs with, in the order they were set.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> OptionsInEffect(Dialplan dialplan, DialplanStep curl)
    {
        var push = dialplan.Steps.FirstOrDefault(s => s.Application == "Set"
            && s.Arguments.StartsWith("CHANNEL(hangup_handler_push)=", StringComparison.Ordinal)
            && s.Arguments.Split('=', 2)[1].Split(',')[0].Trim() == curl.Context);
        var until = push ?? curl;
        return dialplan.Steps
            .Where(s => s.Context == until.Context && s.Extension == until.Extension && s.Line < until.Line)
            .Where(s => s.Application == "Set" && s.Arguments.StartsWith("CURLOPT(", StringComparison.Ordinal))
            .Select(s =>
            {
                var close = s.Arguments.IndexOf(')');
                return new KeyValuePair<string, string>(s.Arguments[8..close], s.Arguments[(close + 2)..]);
            })
            .ToList();
    }

    private static KeyValuePair<string, string> ParseHeader(string header)
    {
        var colon = header.IndexOf(':');
        if (colon <= 0) throw new FormatException($"Not an HTTP header: {header}");
        return new(header[..colon].Trim(), header[(colon + 1)..].Trim());
    }

    /// <summary>CURLOPT timeouts are seconds (decimals allowed); the last setting wins.</summary>
    private static double? Seconds(IReadOnlyList<KeyValuePair<string, string>> options, string key) =>
        options.LastOrDefault(o => o.Key == key) is { Key: not null } option
            ? double.Parse(option.Value, CultureInfo.InvariantCulture)
            : null;
}
