using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.SipAccounts;

/// <summary>A row of <c>ps_aors</c>: where the account may register, and how many devices at once.</summary>
public sealed class PsAor
{
    public required string Id { get; set; }
    public int? MaxContacts { get; set; }
    public AstBool? RemoveExisting { get; set; }
    public int? QualifyFrequency { get; set; }
}

internal sealed class PsAorConfiguration : IEntityTypeConfiguration<PsAor>
{
    public void Configure(EntityTypeBuilder<PsAor> e)
    {
        e.ToTable("ps_aors");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(255);
        e.Property(x => x.MaxContacts).HasColumnName("max_contacts");
        e.Property(x => x.RemoveExisting).HasColumnName("remove_existing");
        e.Property(x => x.QualifyFrequency).HasColumnName("qualify_frequency");
    }
}
