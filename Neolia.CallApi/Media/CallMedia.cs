using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.CallApi.Tenants;

namespace Neolia.CallApi.Media;

/// <summary>
/// The door's picture and video of one call: the LiveKit ingress the relay publishes to, how the video went, and the
/// JPEG of the visitor taken at ring time. Created when a relay first asks for the call's stream.
/// </summary>
public sealed class CallMedia : ITenantOwned
{
    public Guid CallId { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>The ingress made for this call; deleted (and these cleared) when the call ends.</summary>
    public string? IngressId { get; set; }

    /// <summary>Where the relay publishes (URL with the stream key): a publishing credential, never returned to apps.</summary>
    public string? PublishUrl { get; set; }

    /// <summary>One of <see cref="Contracts.VideoStates"/>; null until the relay reports.</summary>
    public string? VideoState { get; set; }

    /// <summary>Why the video was first unavailable (as the relay reported it, credentials removed).</summary>
    public string? VideoUnavailableReason { get; set; }

    /// <summary>The visitor's JPEG (PostgreSQL bytea, TOASTed out of line); removed after the retention period.</summary>
    public byte[]? Snapshot { get; set; }
    public int? SnapshotWidth { get; set; }
    public int? SnapshotHeight { get; set; }
    public DateTimeOffset? SnapshotTakenAt { get; set; }
}

internal sealed class CallMediaConfiguration : IEntityTypeConfiguration<CallMedia>
{
    public void Configure(EntityTypeBuilder<CallMedia> e)
    {
        e.ToTable("CallMedia");
        e.HasKey(m => m.CallId);
        e.Property(m => m.IngressId).HasMaxLength(64);
        e.Property(m => m.PublishUrl).HasMaxLength(2000);
        e.Property(m => m.VideoState).HasMaxLength(16);
        e.Property(m => m.VideoUnavailableReason).HasMaxLength(500);
        // The retention sweeper looks for old snapshots only.
        e.HasIndex(m => m.SnapshotTakenAt).HasFilter($"\"{nameof(CallMedia.Snapshot)}\" IS NOT NULL");
        e.HasOne<Call>().WithOne().HasForeignKey<CallMedia>(m => m.CallId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
