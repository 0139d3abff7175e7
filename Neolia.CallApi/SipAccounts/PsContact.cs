using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// A row of <c>ps_contacts</c>: a registration, written by Asterisk (it inserts every field of its contact object,
/// so every column Asterisk 22 has is here). Neolia reads it for a device's status and deletes it with the account.
/// </summary>
public sealed class PsContact
{
    public required string Id { get; set; }
    public string? Uri { get; set; }
    public long? ExpirationTime { get; set; }
    public int? QualifyFrequency { get; set; }
    public string? OutboundProxy { get; set; }
    public string? Path { get; set; }
    public string? UserAgent { get; set; }
    public double? QualifyTimeout { get; set; }
    public string? RegServer { get; set; }
    public AstBool? AuthenticateQualify { get; set; }
    public string? ViaAddr { get; set; }
    public int? ViaPort { get; set; }
    public string? CallId { get; set; }
    public string? Endpoint { get; set; }
    public AstBool? PruneOnBoot { get; set; }
    public AstBool? Qualify2xxOnly { get; set; }

    /// <summary>
    /// Not Asterisk's: when the row was inserted, i.e. when the device registered (refreshes update the row and keep
    /// it). Asterisk never names it, and its realtime sorcery skips columns it does not know.
    /// </summary>
    public DateTimeOffset RegisteredAt { get; set; }
}

internal sealed class PsContactConfiguration : IEntityTypeConfiguration<PsContact>
{
    public void Configure(EntityTypeBuilder<PsContact> e)
    {
        e.ToTable("ps_contacts");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(255);
        e.Property(x => x.Uri).HasColumnName("uri").HasMaxLength(511);
        e.Property(x => x.ExpirationTime).HasColumnName("expiration_time");
        e.Property(x => x.QualifyFrequency).HasColumnName("qualify_frequency");
        e.Property(x => x.OutboundProxy).HasColumnName("outbound_proxy").HasMaxLength(255);
        e.Property(x => x.Path).HasColumnName("path").HasColumnType("text");
        e.Property(x => x.UserAgent).HasColumnName("user_agent").HasMaxLength(255);
        e.Property(x => x.QualifyTimeout).HasColumnName("qualify_timeout");
        e.Property(x => x.RegServer).HasColumnName("reg_server").HasMaxLength(255);
        e.Property(x => x.AuthenticateQualify).HasColumnName("authenticate_qualify");
        e.Property(x => x.ViaAddr).HasColumnName("via_addr").HasMaxLength(40);
        e.Property(x => x.ViaPort).HasColumnName("via_port");
        e.Property(x => x.CallId).HasColumnName("call_id").HasMaxLength(255);
        e.Property(x => x.Endpoint).HasColumnName("endpoint").HasMaxLength(255);
        e.Property(x => x.PruneOnBoot).HasColumnName("prune_on_boot");
        e.Property(x => x.Qualify2xxOnly).HasColumnName("qualify_2xx_only");
        e.Property(x => x.RegisteredAt).HasColumnName("registered_at").HasDefaultValueSql("now()");
        // Asterisk's own unique constraint and indexes (ps_contacts_uq; lookups by endpoint and by qualify sweep).
        e.HasIndex(x => new { x.Id, x.RegServer }).IsUnique().HasDatabaseName("ps_contacts_uq");
        e.HasIndex(x => x.Endpoint);
        e.HasIndex(x => new { x.QualifyFrequency, x.ExpirationTime }).HasDatabaseName("ps_contacts_qualifyfreq_exp");
    }
}
