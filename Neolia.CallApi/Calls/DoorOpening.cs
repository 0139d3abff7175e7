using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Calls;

/// <summary>A resident opened the door during a call they answered: the audit trail of who let whom in, and when.</summary>
public sealed class DoorOpening : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid CallId { get; set; }
    public Guid DeviceId { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>What became of the door code (<see cref="DoorOpeningResults"/>): sent to the door, or why not.</summary>
    public string Result { get; set; } = DoorOpeningResults.NotSent;
}

/// <summary>What became of a door opening's DTMF code.</summary>
public static class DoorOpeningResults
{
    /// <summary>Asterisk accepted the DTMF on the door's channel.</summary>
    public const string Sent = "dtmf_sent";
    /// <summary>Asterisk refused it or could not be reached.</summary>
    public const string Failed = "dtmf_failed";
    /// <summary>CallApi does not control this call (dialplan path, or no ARI connection): nothing could be sent.</summary>
    public const string NotSent = "dtmf_not_sent";
}

internal sealed class DoorOpeningConfiguration : IEntityTypeConfiguration<DoorOpening>
{
    public void Configure(EntityTypeBuilder<DoorOpening> e)
    {
        e.HasIndex(d => d.CallId);
        e.Property(d => d.Result).HasMaxLength(32);
        e.HasOne<Call>().WithMany().HasForeignKey(d => d.CallId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
