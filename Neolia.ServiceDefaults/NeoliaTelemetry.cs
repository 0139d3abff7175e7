namespace Microsoft.Extensions.Hosting;

/// <summary>Names of the meters and activity sources the services publish.</summary>
public static class NeoliaTelemetry
{
    /// <summary>Every Neolia meter and activity source starts with this, so one wildcard collects them all.</summary>
    public const string MeterPrefix = "Neolia.";
}
