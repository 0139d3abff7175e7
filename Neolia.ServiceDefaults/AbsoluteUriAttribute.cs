using System.ComponentModel.DataAnnotations;

namespace Microsoft.Extensions.Hosting;

/// <summary>An absolute URI with one of the given schemes (<see cref="UrlAttribute"/> knows only http, https and ftp).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class AbsoluteUriAttribute(params string[] schemes) : ValidationAttribute
{
    public override bool IsValid(object? value) =>
        value is null || value is string s && Uri.TryCreate(s, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase);
}
