using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Calls;

/// <summary>A resident opened the door during a call they answered: the audit trail of who let whom in, and when.</summary>
public sealed class DoorOpening : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid CallId { get; set; }
    public Guid DeviceId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
}

internal sealed class DoorOpeningConfiguration : IEntityTypeConfiguration<DoorOpening>
{
    public void Configure(EntityTypeBuilder<DoorOpening> e)
    {
        e.HasIndex(d => d.CallId);
        e.HasOne<Call>().WithMany().HasForeignKey(d => d.CallId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
