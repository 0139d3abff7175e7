using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.Calls;

/// <summary>
/// A call event not yet known to be on the Redis stream (the outbox). A door's ring is written with its call in one
/// transaction; any other event is written here when Redis refused it. <see cref="PendingCallEventPublisher"/> sends
/// what is left once Redis answers again, so no ring and no hangup is lost to a Redis outage.
/// </summary>
public sealed class PendingCallEvent
{
    public long Id { get; set; }
    public Guid CallId { get; set; }

    /// <summary>The <see cref="Neolia.Contracts.CallEvent"/> as its stream JSON.</summary>
    public required byte[] Payload { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class PendingCallEventConfiguration : IEntityTypeConfiguration<PendingCallEvent>
{
    public void Configure(EntityTypeBuilder<PendingCallEvent> e)
    {
        e.ToTable("PendingCallEvents");
        e.Property(p => p.Id).UseIdentityAlwaysColumn();
        e.HasIndex(p => p.CreatedAt);
    }
}
