using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Tenants;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>Where a tenant wants its alerts posted, and the secret they are signed with (encrypted with Data Protection).</summary>
public sealed class AlertWebhook : ITenantOwned
{
    public Guid TenantId { get; set; }
    public required string Url { get; set; }
    public required string SecretProtected { get; set; }
    public bool IsEnabled { get; set; } = true;
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class DeliveryStates
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    /// <summary>Every attempt failed: given up.</summary>
    public const string Failed = "failed";
}

/// <summary>One alert's way to the tenant's webhook: written with the alert, sent (and retried with backoff) by <see cref="AlertWebhookSender"/>.</summary>
public sealed class AlertDelivery : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid AlertId { get; set; }

    /// <summary>One of <see cref="DeliveryStates"/>.</summary>
    public required string State { get; set; }
    public int Attempts { get; set; }

    /// <summary>When the next attempt is due; a replica sending it moves it forward first, so no other one sends it meanwhile.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>The receiver's HTTP status of the last attempt; null when it gave none (refused, timed out).</summary>
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

internal sealed class AlertWebhookConfiguration : IEntityTypeConfiguration<AlertWebhook>, IEntityTypeConfiguration<AlertDelivery>
{
    public void Configure(EntityTypeBuilder<AlertWebhook> e)
    {
        e.ToTable("AlertWebhooks");
        e.HasKey(w => w.TenantId);
        e.Property(w => w.Url).HasMaxLength(2000);
        e.HasOne<Tenant>().WithOne().HasForeignKey<AlertWebhook>(w => w.TenantId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<AlertDelivery> e)
    {
        e.ToTable("AlertDeliveries");
        e.Property(d => d.State).HasMaxLength(16);
        e.Property(d => d.LastError).HasMaxLength(500);
        // The sender looks for due pending deliveries only.
        e.HasIndex(d => d.NextAttemptAt).HasFilter($"\"{nameof(AlertDelivery.State)}\" = '{DeliveryStates.Pending}'");
        e.HasIndex(d => d.AlertId);
        e.HasOne<DeviceAlert>().WithMany().HasForeignKey(d => d.AlertId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
