using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Tenants;

namespace Neolia.CallApi.DeviceStatus;

public static class DeviceAlertKinds
{
    public const string Offline = "device.offline";
    public const string Online = "device.online";
}

/// <summary>One alert to a tenant's administrators: shown in the console and sent to the tenant's webhook.</summary>
public sealed class DeviceAlert : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid DeviceId { get; set; }
    public Guid SiteId { get; set; }

    /// <summary>One of <see cref="DeviceAlertKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary>When the alert was raised.</summary>
    public DateTimeOffset RaisedAt { get; set; }

    /// <summary>Since when the device has been in the state the alert reports.</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>State changes folded into this alert by the quiet period (1 for a clean loss or recovery).</summary>
    public int Changes { get; set; }
}

internal sealed class DeviceAlertConfiguration : IEntityTypeConfiguration<DeviceAlert>
{
    public void Configure(EntityTypeBuilder<DeviceAlert> e)
    {
        e.ToTable("DeviceAlerts");
        e.Property(a => a.Kind).HasMaxLength(32);
        e.HasIndex(a => new { a.TenantId, a.RaisedAt });
        e.HasOne<Device>().WithMany().HasForeignKey(a => a.DeviceId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(a => a.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
