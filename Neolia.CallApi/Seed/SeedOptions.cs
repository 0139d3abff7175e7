using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.Seed;

/// <summary>The development seed (section <c>Seed</c>): off unless configured, never on by default.</summary>
public sealed class SeedOptions : IValidatableObject
{
    public const string Section = "Seed";

    public bool Enabled { get; set; }

    /// <summary>Password of every demo account; required when the seed is on, and never committed.</summary>
    public string? DemoPassword { get; set; }

    /// <summary>SIP password of the demo door and softphones (demo-door-1, demo-alice, …); <see cref="DemoPassword"/> when unset.</summary>
    [MinLength(10, ErrorMessage = "Seed:DemoSipPassword must be at least 10 characters.")]
    public string? DemoSipPassword { get; set; }

    public string? SipPassword => DemoSipPassword ?? DemoPassword;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && (DemoPassword is null || DemoPassword.Length < 10))
        {
            yield return new ValidationResult("Seed:DemoPassword (at least 10 characters) is required when Seed:Enabled is true.", [nameof(DemoPassword)]);
        }
    }
}
