using System.ComponentModel.DataAnnotations;

namespace Neolia.Gateway.Security;

/// <summary>What the public edge lets in (section <c>Edge</c>).</summary>
public sealed class EdgeOptions : IValidatableObject
{
    public const string Section = "Edge";

    /// <summary>Browser origins allowed to call the API (the app's web origins); none by default.</summary>
    public string[] CorsOrigins { get; set; } = [];

    /// <summary>Sign-in attempts per client address per minute (slows password guessing).</summary>
    [Range(1, 100_000, ErrorMessage = "Edge:AuthRequestsPerMinute must be between 1 and 100000.")]
    public int AuthRequestsPerMinute { get; set; } = 30;

    /// <summary>Largest request body accepted, in bytes; the API takes small JSON documents only.</summary>
    [Range(1024, 100_000_000, ErrorMessage = "Edge:MaxRequestBodyBytes must be between 1 KiB and 100 MB.")]
    public long MaxRequestBodyBytes { get; set; } = 1_048_576;

    /// <summary>
    /// Proxies (addresses or CIDR networks) whose X-Forwarded-For / X-Forwarded-Proto the gateway believes, such as a
    /// load balancer in front of it; none by default.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies)
        {
            var valid = proxy.Contains('/') ? System.Net.IPNetwork.TryParse(proxy, out _) : System.Net.IPAddress.TryParse(proxy, out _);
            if (!valid) yield return new ValidationResult($"Edge:TrustedProxies holds '{proxy}', which is neither an IP address nor a CIDR network.");
        }
    }
}
