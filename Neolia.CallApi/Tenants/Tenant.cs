using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.Tenants;

/// <summary>A customer of the platform (a property manager) owning buildings.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; } = Guid.CreateVersion7();

    /// <summary>Stable lowercase identifier; Asterisk sends it as the <c>tenant</c> of a door call.</summary>
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> e)
    {
        e.Property(t => t.Slug).HasMaxLength(63);
        e.Property(t => t.Name).HasMaxLength(200);
        e.HasIndex(t => t.Slug).IsUnique();
    }
}
