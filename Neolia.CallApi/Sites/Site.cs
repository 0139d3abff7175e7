using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.Sites;

/// <summary>A building (or an entrance of one) with its doors and apartments.</summary>
public sealed class Site : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public required string Name { get; set; }
    public string? Address { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> e)
    {
        e.Property(s => s.Name).HasMaxLength(200);
        e.Property(s => s.Address).HasMaxLength(500);
        e.HasOne<Tenant>().WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Restrict);
        e.HasIndex(s => new { s.TenantId, s.Name }).IsUnique();
    }
}
