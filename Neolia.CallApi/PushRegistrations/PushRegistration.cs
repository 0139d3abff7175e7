using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Users;
using Neolia.Contracts;

namespace Neolia.CallApi.PushRegistrations;

/// <summary>One push token of one app installation: rings (and cancels) reach the resident when the app is closed.</summary>
public sealed class PushRegistration : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid UserId { get; set; }

    /// <summary>One of <see cref="PushPlatforms"/>.</summary>
    public required string Platform { get; set; }
    public required string Token { get; set; }

    /// <summary>The app installation (the app's own stable id): registering again from it replaces its token.</summary>
    public required string DeviceId { get; set; }
    public string? AppId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class PushRegistrationConfiguration : IEntityTypeConfiguration<PushRegistration>
{
    public void Configure(EntityTypeBuilder<PushRegistration> e)
    {
        e.ToTable("push_registrations");
        e.Property(r => r.Platform).HasMaxLength(16);
        e.Property(r => r.Token).HasMaxLength(4096);
        e.Property(r => r.DeviceId).HasMaxLength(200);
        e.Property(r => r.AppId).HasMaxLength(200);
        // Upsert key: one token per installation and platform (an iPhone has a VoIP and an ordinary token).
        e.HasIndex(r => new { r.UserId, r.DeviceId, r.Platform }).IsUnique();
        // A token belongs to one installation: when another account signs in on the phone, the old one stops getting its pushes.
        e.HasIndex(r => new { r.Platform, r.Token }).IsUnique();
        e.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
