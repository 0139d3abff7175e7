using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Tenants;
using Microsoft.AspNetCore.Identity;

namespace Neolia.CallApi.Users;

/// <summary>A person who signs in: a resident, a tenant's administrator or a platform administrator.</summary>
public sealed class User : IdentityUser<Guid>
{
    public User() => Id = Guid.CreateVersion7();

    /// <summary>The tenant the user belongs to; null only for platform administrators.</summary>
    public Guid? TenantId { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The user's app softphone (PJSIP endpoint), rung over SIP together with the apartment's monitors.</summary>
    public string? SipUsername { get; set; }

    /// <summary>The softphone's SIP password, encrypted (SipAccounts.SoftphonePasswords): the app fetches it on each phone.</summary>
    public string? SipPasswordProtected { get; set; }

    /// <summary>A deactivated user cannot sign in, and is rung for nothing.</summary>
    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
}

public sealed class Role : IdentityRole<Guid>
{
    public Role() => Id = Guid.CreateVersion7();
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> e)
    {
        e.Property(u => u.DisplayName).HasMaxLength(200);
        e.Property(u => u.SipUsername).HasMaxLength(64);
        e.HasIndex(u => u.SipUsername).IsUnique();
        e.HasIndex(u => u.TenantId);
        e.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
