using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class ConfigurationExtensions
{
    /// <summary>
    /// A connection string the service cannot run without. The AppHost injects it as
    /// <c>ConnectionStrings__{name}</c>; the message names that key so an operator knows what to set.
    /// </summary>
    public static string GetRequiredConnectionString(this IConfiguration configuration, string name)
    {
        var value = configuration.GetConnectionString(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"Missing configuration 'ConnectionStrings:{name}' (environment variable ConnectionStrings__{name}). " +
                "The AppHost sets it from its resource reference; without the AppHost, set it yourself.");
        }
        return value;
    }

    /// <summary>
    /// Binds an options class to a configuration section and validates it (data annotations and any
    /// <see cref="IValidateOptions{TOptions}"/>) when the host starts, so a bad setting stops the service at once.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class
        => services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
