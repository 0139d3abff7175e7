using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.Users;

/// <summary>
/// The record of truth of "every access token of this user issued before <see cref="RevokedBeforeMs"/> is dead"
/// (deactivation, password change, sign-out). Redis holds a cache of these rows for the Notifier; it is refilled from
/// here when Redis restarts, so a restart never revives a token.
/// </summary>
public sealed class TokenRevocation
{
    public Guid UserId { get; set; }

    /// <summary>Unix milliseconds: a token issued before is refused.</summary>
    public long RevokedBeforeMs { get; set; }

    /// <summary>After this no token issued before the revocation can still be valid: the row has done its work.</summary>
    public DateTimeOffset KeepUntil { get; set; }
}

internal sealed class TokenRevocationConfiguration : IEntityTypeConfiguration<TokenRevocation>
{
    public void Configure(EntityTypeBuilder<TokenRevocation> e)
    {
        e.ToTable("TokenRevocations");
        e.HasKey(r => r.UserId);
        e.HasIndex(r => r.KeepUntil);
        e.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
