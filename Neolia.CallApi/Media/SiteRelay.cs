using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;

namespace Neolia.CallApi.Media;

/// <summary>
/// A relay box inside a building: while a site has one, its doors' video is relayed by that box (which reaches the
/// doors behind the building's NAT) and not by the stack's relays. Only the credential's SHA-256 is kept.
/// </summary>
public sealed class SiteRelay : ITenantOwned
{
    public Guid SiteId { get; set; }
    public Guid TenantId { get; set; }
    public required byte[] CredentialHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class SiteRelayConfiguration : IEntityTypeConfiguration<SiteRelay>
{
    public void Configure(EntityTypeBuilder<SiteRelay> e)
    {
        e.ToTable("SiteRelays");
        e.HasKey(r => r.SiteId);
        e.Property(r => r.CredentialHash).HasMaxLength(32);
        e.HasOne<Site>().WithOne().HasForeignKey<SiteRelay>(r => r.SiteId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
