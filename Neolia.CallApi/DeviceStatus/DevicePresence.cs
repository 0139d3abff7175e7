using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Tenants;

namespace Neolia.CallApi.DeviceStatus;

public static class PresenceStates
{
    /// <summary>Registered with Asterisk, and answering its qualify (OPTIONS) requests where they are sent.</summary>
    public const string Online = "online";

    /// <summary>No registration left (expired, removed), or Asterisk's qualify finds every contact unreachable.</summary>
    public const string Offline = "offline";
}

/// <summary>Why a device is in its state: the result of its line in the door log.</summary>
public static class PresenceReasons
{
    public const string Registered = "registered";
    /// <summary>Registered, but Asterisk's OPTIONS get no answer.</summary>
    public const string QualifyUnreachable = "qualify_unreachable";
    /// <summary>No registration left: expired or removed.</summary>
    public const string NoRegistration = "no_registration";
}

/// <summary>
/// What CallApi last recorded of one device's reachability, and what it last alerted about. One row per device, made
/// the first time the device is checked (without an alert: a door never installed yet is not "lost"). A change is
/// taken by one replica only: the update that moves the state is conditional on the state it saw.
/// </summary>
public sealed class DevicePresence : ITenantOwned
{
    public Guid DeviceId { get; set; }
    public Guid TenantId { get; set; }

    /// <summary>One of <see cref="PresenceStates"/>.</summary>
    public required string State { get; set; }

    /// <summary>When the device entered <see cref="State"/> (as far as CallApi saw it).</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>Since when Asterisk's qualify has found the device's contacts unreachable (ARI ContactStatusChange); null when reachable.</summary>
    public DateTimeOffset? UnreachableSince { get; set; }

    /// <summary>The state the last alert reported (the first state seen, before any alert).</summary>
    public required string AlertedState { get; set; }

    /// <summary>When the last "offline" alert went out: the start of the device's quiet period.</summary>
    public DateTimeOffset? LastOfflineAlertAt { get; set; }

    /// <summary>State changes since the last alert: how much a door flapped meanwhile.</summary>
    public int ChangesSinceAlert { get; set; }
}

internal sealed class DevicePresenceConfiguration : IEntityTypeConfiguration<DevicePresence>
{
    public void Configure(EntityTypeBuilder<DevicePresence> e)
    {
        e.ToTable("DevicePresence");
        e.HasKey(p => p.DeviceId);
        e.Property(p => p.State).HasMaxLength(16);
        e.Property(p => p.AlertedState).HasMaxLength(16);
        e.HasOne<Device>().WithOne().HasForeignKey<DevicePresence>(p => p.DeviceId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
