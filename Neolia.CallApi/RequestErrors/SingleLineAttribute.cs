using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.RequestErrors;

/// <summary>
/// A name or an e-mail address: printable text on one line. Control characters (NUL, line breaks, escapes) have no
/// place in what admins and residents read back, and PostgreSQL refuses NUL outright.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class SingleLineAttribute : ValidationAttribute
{
    public SingleLineAttribute() : base("The {0} field must not contain control characters.") { }

    public override bool IsValid(object? value) => value is not string text || !HasControlCharacters(text);

    public static bool HasControlCharacters(string text) => text.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || text.Contains('\u007f');
}
