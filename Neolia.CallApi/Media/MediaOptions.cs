using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.Media;

/// <summary>Door video and snapshots (section <c>Media</c>).</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>
    /// What the stack's relays send in <c>X-Neolia-Relay-Secret</c> on the private network. Without it the stack's relay
    /// endpoints are off (404) and only site relays work.
    /// </summary>
    [MinLength(32, ErrorMessage = "Media:RelaySecret must be at least 32 characters.")]
    public string? RelaySecret { get; set; }

    /// <summary>How long a call's snapshot is kept; the call itself stays in the history.</summary>
    [Range(1, 3650, ErrorMessage = "Media:SnapshotRetentionDays must be between 1 and 3650.")]
    public int SnapshotRetentionDays { get; set; } = 30;

    /// <summary>The largest JPEG a relay may store.</summary>
    [Range(1024, 8 * 1024 * 1024, ErrorMessage = "Media:SnapshotMaxBytes must be between 1 KiB and 8 MiB.")]
    public int SnapshotMaxBytes { get; set; } = 1024 * 1024;
}
