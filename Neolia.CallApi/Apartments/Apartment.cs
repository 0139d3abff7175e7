using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Data;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Apartments;

public sealed class Apartment : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SiteId { get; set; }

    /// <summary>The extension the door dials; unique per site.</summary>
    public required string Number { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public List<ApartmentMembership> Memberships { get; set; } = [];
}

/// <summary>A resident living in (and rung for) an apartment.</summary>
public sealed class ApartmentMembership : ITenantOwned
{
    public Guid ApartmentId { get; set; }
    public Guid UserId { get; set; }
    public Guid TenantId { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public Apartment? Apartment { get; set; }
    public User? User { get; set; }
}

internal sealed class ApartmentConfiguration : IEntityTypeConfiguration<Apartment>
{
    public void Configure(EntityTypeBuilder<Apartment> e)
    {
        e.Property(a => a.Number).HasMaxLength(32);
        e.HasIndex(a => new { a.SiteId, a.Number }).IsUnique();
        e.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Site>().WithMany().HasForeignKey(a => a.SiteId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ApartmentMembershipConfiguration : IEntityTypeConfiguration<ApartmentMembership>
{
    public void Configure(EntityTypeBuilder<ApartmentMembership> e)
    {
        e.HasKey(m => new { m.ApartmentId, m.UserId });
        e.HasIndex(m => m.UserId);
        e.HasOne(m => m.Apartment).WithMany(a => a.Memberships).HasForeignKey(m => m.ApartmentId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
