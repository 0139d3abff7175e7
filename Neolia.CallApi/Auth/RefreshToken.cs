using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Users;
namespace Neolia.CallApi.Auth;

/// <summary>
/// A refresh token, stored as its SHA-256 only (a database leak yields no usable token). Each use rotates it:
/// the old one is revoked and points to its successor.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid UserId { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public Guid? ReplacedById { get; set; }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> e)
    {
        e.Property(t => t.TokenHash).HasMaxLength(32);
        e.HasIndex(t => t.TokenHash).IsUnique();
        e.HasIndex(t => t.UserId);
        e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
