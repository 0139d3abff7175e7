using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.DoorEvents;

/// <summary>The door log (section <c>DoorLog</c>).</summary>
public sealed class DoorLogOptions
{
    public const string Section = "DoorLog";

    /// <summary>How long a door event (and its picture) is kept.</summary>
    [Range(1, 3650, ErrorMessage = "DoorLog:RetentionDays must be between 1 and 3650.")]
    public int RetentionDays { get; set; } = 90;
}
