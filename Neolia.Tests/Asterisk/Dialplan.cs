namespace Neolia.Tests.Asterisk;

/// <summary>One priority of extensions.conf: <c>exten =&gt; 101,1,App(args)</c> or <c>same =&gt; n(label),App(args)</c>.</summary>
public sealed record DialplanStep(string Context, string Extension, string? Label, string Application, string Arguments, int Line);

/// <summary>
/// A small reader of Asterisk's extensions.conf: contexts, extensions and the application each priority runs.
/// Enough to find what the dialplan does (CURL calls, CURLOPT settings), not a full implementation.
/// </summary>
public sealed class Dialplan
{
    private Dialplan(IReadOnlyList<DialplanStep> steps) => Steps = steps;

    /// <summary>Every priority, in file order.</summary>
    public IReadOnlyList<DialplanStep> Steps { get; }

    public IEnumerable<DialplanStep> InContext(string context) => Steps.Where(s => s.Context == context);

    public static Dialplan Load() => Parse(RepositoryFiles.Read("containers", "asterisk", "extensions.conf"));

    public static Dialplan Parse(string text)
    {
        var steps = new List<DialplanStep>();
        string? context = null, extension = null;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = StripComment(rawLine).Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('[') && line.IndexOf(']') is var close and > 0)
            {
                context = line[1..close];
                extension = null;
                continue;
            }
            var arrow = line.IndexOf("=>", StringComparison.Ordinal);
            if (arrow < 0 || context is null) continue; // a setting of [general] or [globals]
            var keyword = line[..arrow].Trim();
            var rest = line[(arrow + 2)..].Trim();
            if (keyword == "exten")
            {
                var parts = rest.Split(',', 3);
                if (parts.Length < 3) throw new FormatException($"Line {lineNumber}: an exten needs extension,priority,application: {line}");
                extension = parts[0].Trim();
                steps.Add(Step(context, extension, parts[1].Trim(), parts[2], lineNumber));
            }
            else if (keyword == "same")
            {
                if (extension is null) throw new FormatException($"Line {lineNumber}: 'same' without a preceding 'exten'.");
                var parts = rest.Split(',', 2);
                if (parts.Length < 2) throw new FormatException($"Line {lineNumber}: 'same' needs priority,application: {line}");
                steps.Add(Step(context, extension, parts[0].Trim(), parts[1], lineNumber));
            }
        }
        return new Dialplan(steps);
    }

    private static DialplanStep Step(string context, string extension, string priority, string application, int line)
    {
        // Priority "n(label)" or "1": only the label matters here.
        string? label = null;
        var open = priority.IndexOf('(');
        if (open >= 0 && priority.EndsWith(')')) label = priority[(open + 1)..^1];

        application = application.Trim();
        var paren = application.IndexOf('(');
        if (paren < 0) return new DialplanStep(context, extension, label, application, "", line);
        if (!application.EndsWith(')')) throw new FormatException($"Line {line}: unbalanced parentheses in {application}");
        return new DialplanStep(context, extension, label, application[..paren], application[(paren + 1)..^1], line);
    }

    /// <summary>Asterisk comments start at an unescaped ';'.</summary>
    private static string StripComment(string line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == ';' && (i == 0 || line[i - 1] != '\\')) return line[..i];
        }
        return line;
    }
}
