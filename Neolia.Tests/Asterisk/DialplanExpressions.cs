using System.Text;

namespace Neolia.Tests.Asterisk;

/// <summary>
/// Expands Asterisk's <c>${...}</c> substitutions the way the dialplan does before an application runs:
/// innermost first, a name is a channel variable, <c>NAME(args)</c> a function. Only what the webhook calls
/// use is supported; anything else throws, so a dialplan change the test does not understand fails loudly.
/// </summary>
public sealed class DialplanExpressions(IReadOnlyDictionary<string, string> channel, IReadOnlyDictionary<string, string> environment)
{
    public string Expand(string text)
    {
        var result = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '[')
            {
                throw new NotSupportedException($"Expressions $[...] are not supported in a webhook call: {text}");
            }
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var end = MatchingBrace(text, i + 1);
                var inner = Expand(text[(i + 2)..end]);
                result.Append(Evaluate(inner));
                i = end + 1;
                continue;
            }
            result.Append(text[i]);
            i++;
        }
        return result.ToString();
    }

    private string Evaluate(string expression)
    {
        // A sample value may stand for a whole function call, e.g. CHANNEL(endpoint).
        if (channel.TryGetValue(expression, out var sample)) return sample;

        var open = expression.IndexOf('(');
        if (open > 0 && expression.EndsWith(')'))
        {
            var name = expression[..open];
            var argument = expression[(open + 1)..^1];
            return name switch
            {
                "ENV" => environment.TryGetValue(argument, out var value)
                    ? value
                    : throw new KeyNotFoundException($"The dialplan reads environment variable {argument}, which the test does not provide."),
                // Asterisk's URIENCODE escapes everything but the RFC 3986 unreserved characters.
                "URIENCODE" => Uri.EscapeDataString(argument),
                _ => throw new NotSupportedException($"Dialplan function {name}() is not known to the test: add a sample value for '{expression}'."),
            };
        }
        throw new KeyNotFoundException($"The dialplan reads channel variable {expression}, which the test does not provide.");
    }

    /// <summary>Index of the '}' that closes the '{' at <paramref name="open"/>.</summary>
    public static int MatchingBrace(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            if (text[i] == '{') depth++;
            else if (text[i] == '}' && --depth == 0) return i;
        }
        throw new FormatException($"Unbalanced braces in: {text}");
    }

    /// <summary>Splits function arguments at the commas that are not inside <c>${...}</c>, <c>$[...]</c> or parentheses.</summary>
    public static IReadOnlyList<string> SplitArguments(string arguments)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < arguments.Length; i++)
        {
            switch (arguments[i])
            {
                case '{' or '(' or '[': depth++; break;
                case '}' or ')' or ']': depth--; break;
                case ',' when depth == 0:
                    parts.Add(arguments[start..i]);
                    start = i + 1;
                    break;
            }
        }
        parts.Add(arguments[start..]);
        return parts;
    }

    /// <summary>The argument lists of every <c>${NAME(...)}</c> in <paramref name="text"/>, unexpanded.</summary>
    public static IEnumerable<string> FunctionCalls(string text, string name)
    {
        var marker = "${" + name + "(";
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + 1, StringComparison.Ordinal))
        {
            var end = MatchingBrace(text, at + 1);
            var call = text[(at + 2)..end];          // NAME(args)
            yield return call[(name.Length + 1)..^1]; // args
        }
    }
}
