using System.Text.RegularExpressions;

namespace Neolia.Tests.Asterisk;

/// <summary>One section of an Asterisk configuration file: name, template arguments, options (a key may repeat).</summary>
public sealed record AsteriskConfigSection(string Name, string Options, Dictionary<string, List<string>> Values)
{
    public string Single(string key) => Assert.Single(Values[key]);
}

/// <summary>Reads Asterisk's .conf syntax: [section](template), key = value, key => value, ; comments, #directives.</summary>
public static partial class AsteriskConfigFile
{
    public static IReadOnlyList<AsteriskConfigSection> Load(string name) => Parse(RepositoryFiles.Read("containers", "asterisk", name));

    public static IReadOnlyList<AsteriskConfigSection> Parse(string text)
    {
        var sections = new List<AsteriskConfigSection>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split(';')[0].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var header = SectionHeader().Match(line);
            if (header.Success)
            {
                sections.Add(new AsteriskConfigSection(header.Groups[1].Value, header.Groups[2].Value, []));
                continue;
            }
            var equals = line.IndexOf('=');
            if (equals > 0 && sections.Count > 0)
            {
                var key = line[..equals].Trim();
                var values = sections[^1].Values;
                if (!values.TryGetValue(key, out var list)) values[key] = list = [];
                list.Add(line[(equals + 1)..].Trim().TrimStart('>').Trim());
            }
        }
        return sections;
    }

    /// <summary>The #directives of each section (e.g. <c>#exec /bin/sh … transport</c>), by section name.</summary>
    public static Dictionary<string, List<string>> Directives(string text)
    {
        var directives = new Dictionary<string, List<string>>();
        var section = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var header = SectionHeader().Match(line.Split(';')[0].Trim());
            if (header.Success) section = header.Groups[1].Value;
            else if (line.StartsWith('#'))
            {
                if (!directives.TryGetValue(section, out var list)) directives[section] = list = [];
                list.Add(line);
            }
        }
        return directives;
    }

    [GeneratedRegex(@"^\[([^\]]+)\](?:\(([^)]*)\))?$")]
    private static partial Regex SectionHeader();
}
