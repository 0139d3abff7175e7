using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// A row of Asterisk's realtime table <c>ps_endpoints</c> (res_pjsip "endpoint"), only the columns Neolia sets, with
/// Asterisk's names and types. Asterisk reads it on every lookup (sorcery.conf, no cache): what is saved here is live.
/// </summary>
public sealed class PsEndpoint
{
    public required string Id { get; set; }
    public string? Transport { get; set; }
    public string? Aors { get; set; }
    public string? Auth { get; set; }
    public string? Context { get; set; }
    public string? Disallow { get; set; }
    public string? Allow { get; set; }
    public AstBool? DirectMedia { get; set; }
    public PjsipDtmfMode? DtmfMode { get; set; }
    public AstBool? ForceRport { get; set; }
    public AstBool? RewriteContact { get; set; }
    public AstBool? RtpSymmetric { get; set; }
    public int? RtpKeepalive { get; set; }
    public int? RtpTimeout { get; set; }
    public string? Callerid { get; set; }
    public AstBool? SendRpid { get; set; }
    public AstBool? AllowSubscribe { get; set; }
    public AstBool? Webrtc { get; set; }
    public AstBool? DtlsAutoGenerateCert { get; set; }
    public PjsipMediaEncryption? MediaEncryption { get; set; }
    public string? SetVar { get; set; }
    public string? TenantId { get; set; }

    /// <summary>Always empty: Asterisk's MWI looks for endpoints with mailboxes at start (SELECT … WHERE mailboxes != '').</summary>
    public string? Mailboxes { get; set; }
}

internal sealed class PsEndpointConfiguration : IEntityTypeConfiguration<PsEndpoint>
{
    public void Configure(EntityTypeBuilder<PsEndpoint> e)
    {
        e.ToTable("ps_endpoints");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(255);
        e.Property(x => x.Transport).HasColumnName("transport").HasMaxLength(40);
        e.Property(x => x.Aors).HasColumnName("aors").HasMaxLength(2048);
        e.Property(x => x.Auth).HasColumnName("auth").HasMaxLength(255);
        // Asterisk's schema says 40; "tenant-<63-character slug>-residents" needs more.
        e.Property(x => x.Context).HasColumnName("context").HasMaxLength(80);
        e.Property(x => x.Disallow).HasColumnName("disallow").HasMaxLength(200);
        e.Property(x => x.Allow).HasColumnName("allow").HasMaxLength(200);
        e.Property(x => x.DirectMedia).HasColumnName("direct_media");
        e.Property(x => x.DtmfMode).HasColumnName("dtmf_mode");
        e.Property(x => x.ForceRport).HasColumnName("force_rport");
        e.Property(x => x.RewriteContact).HasColumnName("rewrite_contact");
        e.Property(x => x.RtpSymmetric).HasColumnName("rtp_symmetric");
        e.Property(x => x.RtpKeepalive).HasColumnName("rtp_keepalive");
        e.Property(x => x.RtpTimeout).HasColumnName("rtp_timeout");
        // Asterisk's schema says 40; a device's name (200) quoted with its username needs more.
        e.Property(x => x.Callerid).HasColumnName("callerid").HasMaxLength(255);
        e.Property(x => x.SendRpid).HasColumnName("send_rpid");
        e.Property(x => x.AllowSubscribe).HasColumnName("allow_subscribe");
        e.Property(x => x.Webrtc).HasColumnName("webrtc");
        e.Property(x => x.DtlsAutoGenerateCert).HasColumnName("dtls_auto_generate_cert");
        e.Property(x => x.MediaEncryption).HasColumnName("media_encryption");
        e.Property(x => x.SetVar).HasColumnName("set_var").HasColumnType("text");
        e.Property(x => x.TenantId).HasColumnName("tenantid").HasMaxLength(80);
        e.Property(x => x.Mailboxes).HasColumnName("mailboxes").HasMaxLength(40);
    }
}
