using Microsoft.Extensions.Configuration;

namespace Neolia.AppHost;

/// <summary>
/// How the AppHost runs PostgreSQL, Redis, Asterisk and LiveKit (configuration key <c>Neolia:Infrastructure</c>).
/// A model for a machine without a container runtime must hold no container resource at all: DCP checks the
/// runtime as soon as one exists, and that check fails the whole start.
/// </summary>
public enum InfrastructureMode
{
    /// <summary>Everything as containers: a developer machine with Docker or Podman, and every published deployment.</summary>
    Containers,

    /// <summary>PostgreSQL and Redis as local processes from the machine's packages; Asterisk and LiveKit left out.</summary>
    Local,
}

public static class InfrastructureModes
{
    public const string ConfigurationKey = "Neolia:Infrastructure";

    public static InfrastructureMode From(IConfiguration configuration, bool isRunMode)
    {
        var value = configuration[ConfigurationKey];
        if (!isRunMode || string.IsNullOrWhiteSpace(value)) return InfrastructureMode.Containers;
        return Enum.TryParse<InfrastructureMode>(value, ignoreCase: true, out var mode)
            ? mode
            : throw new InvalidOperationException($"{ConfigurationKey} is '{value}': use 'containers' (a container runtime is present) or 'local' (PostgreSQL and Redis as local processes).");
    }
}
