using System.Text.RegularExpressions;

namespace Neolia.Tests.Asterisk;

/// <summary>The dialplan's fallback read, <c>NEOLIA_DIAL=${REALTIME_FIELD(family,key column,key,column)}</c>, taken apart.</summary>
public sealed partial record FallbackLookup(string Family, string KeyColumn, string Key, string Column)
{
    public static FallbackLookup Parse(string setArguments)
    {
        var match = RealtimeField().Match(setArguments);
        Assert.True(match.Success, $"not a REALTIME_FIELD read: {setArguments}");
        return new FallbackLookup(match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value, match.Groups[4].Value);
    }

    /// <summary>The door's extension line as it reads the fallback, from extensions.conf.</summary>
    public static FallbackLookup OfDialplan() =>
        Parse(Dialplan.Load().InContext("neolia-door").Single(s => s.Extension.StartsWith('_') && s.Arguments.StartsWith("NEOLIA_DIAL=", StringComparison.Ordinal)).Arguments);

    /// <summary>The key Asterisk looks up for a door of <paramref name="tenant"/> in <paramref name="site"/> dialling <paramref name="extension"/>.</summary>
    public string KeyFor(string tenant, string site, string extension) =>
        Key.Replace("${NEOLIA_TENANT}", tenant, StringComparison.Ordinal)
            .Replace("${NEOLIA_SITE}", site, StringComparison.Ordinal)
            .Replace("${EXTEN}", extension, StringComparison.Ordinal);

    [GeneratedRegex(@"^NEOLIA_DIAL=\$\{REALTIME_FIELD\(([^,()]+),([^,()]+),([^,()]+),([^,()]+)\)\}$")]
    private static partial Regex RealtimeField();
}
