using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.SipAccounts;

/// <summary>A row of <c>ps_auths</c>: the account's digest credentials (<c>md5_cred</c> = md5(username:realm:password)), never a password.</summary>
public sealed class PsAuth
{
    public required string Id { get; set; }
    public PjsipAuthType AuthType { get; set; } = PjsipAuthType.Md5;
    public required string Username { get; set; }
    public required string Realm { get; set; }
    public required string Md5Cred { get; set; }
}

internal sealed class PsAuthConfiguration : IEntityTypeConfiguration<PsAuth>
{
    public void Configure(EntityTypeBuilder<PsAuth> e)
    {
        e.ToTable("ps_auths");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(255);
        e.Property(x => x.AuthType).HasColumnName("auth_type");
        e.Property(x => x.Username).HasColumnName("username").HasMaxLength(40);
        e.Property(x => x.Realm).HasColumnName("realm").HasMaxLength(255);
        e.Property(x => x.Md5Cred).HasColumnName("md5_cred").HasMaxLength(40);
    }
}
