using System.ComponentModel.DataAnnotations;

namespace Neolia.AdminConsole.Api;

/// <summary>Where the console reaches Neolia's public API (section <c>Api</c>).</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>
    /// The gateway: a service-discovery name (<c>http://gateway</c>, resolved from <c>services:gateway:http:0</c> as the
    /// AppHost sets it) or a plain address. The console calls nothing else: whatever it does, a script can do.
    /// </summary>
    [Required(ErrorMessage = "Api:Gateway is required (the gateway's address, e.g. http://gateway).")]
    [AbsoluteUri("http", "https", ErrorMessage = "Api:Gateway must be an absolute http(s) address.")]
    public string Gateway { get; set; } = "http://gateway";
}
