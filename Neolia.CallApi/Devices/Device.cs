using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Data;
using Neolia.CallApi.SipAccounts;

namespace Neolia.CallApi.Devices;

public enum DeviceKind
{
    /// <summary>A door intercom (Akuvox E12W): the caller.</summary>
    DoorIntercom,
    /// <summary>An indoor monitor in an apartment: rung over SIP with the residents' apps.</summary>
    IndoorMonitor,
}

public sealed class Device : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SiteId { get; set; }

    /// <summary>The apartment an indoor monitor hangs in; null for door intercoms.</summary>
    public Guid? ApartmentId { get; set; }

    public DeviceKind Kind { get; set; }
    public required string Name { get; set; }

    /// <summary>The device's SIP account (PJSIP endpoint name); unique across the platform, it identifies the caller.</summary>
    public required string SipUsername { get; set; }

    /// <summary>HA1 digest of the SIP password (md5(user:realm:password)), what Asterisk's <c>md5_cred</c> needs; never the password.</summary>
    public string? SipPasswordDigest { get; set; }

    /// <summary>RTSP address and credentials of the camera, encrypted with Data Protection.</summary>
    public string? RtspUrlProtected { get; set; }
    public string? RtspUsernameProtected { get; set; }
    public string? RtspPasswordProtected { get; set; }

    /// <summary>DTMF sequence that opens the door during a call, encrypted with Data Protection; null means <see cref="DeviceSecrets.DefaultDoorCode"/>.</summary>
    public string? DoorCodeProtected { get; set; }

    /// <summary>Whether and how residents open this door from the app, outside a call: one of <see cref="AppOpeningModes"/>.</summary>
    public string AppOpening { get; set; } = AppOpeningModes.Off;

    /// <summary>The door's own HTTP API on the building's network (what a site box calls to trigger its relay), encrypted with Data Protection.</summary>
    public string? DoorHttpUrlProtected { get; set; }
    public string? DoorHttpUsernameProtected { get; set; }
    public string? DoorHttpPasswordProtected { get; set; }

    /// <summary>Which of the door's relays opens it through the HTTP API (Akuvox counts from 1).</summary>
    public int DoorHttpRelay { get; set; } = 1;

    /// <summary>SHA-256 of the token the door's Action URL carries; null: the door's own events are refused.</summary>
    public byte[]? ActionUrlTokenHash { get; set; }

    /// <summary>How the device carries SIP (written to its PJSIP endpoint's <c>transport</c>); devices made before TLS keep UDP.</summary>
    public SipTransport SipTransport { get; set; } = SipTransport.Udp;

    /// <summary>Plain RTP or SRTP with SDES keys (its PJSIP endpoint's <c>media_encryption</c>).</summary>
    public SipMediaEncryption MediaEncryption { get; set; } = SipMediaEncryption.None;

    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The SIP account Asterisk must know for this device.</summary>
    public SipAccount SipAccount(string tenantSlug) => new(SipUsername,
        Kind == DeviceKind.DoorIntercom ? SipAccountKind.DoorIntercom : SipAccountKind.IndoorMonitor,
        tenantSlug, Name, SipPasswordDigest ?? "", SiteId, SipTransport, MediaEncryption);
}

/// <summary>How a door is opened from the app (<see cref="Device.AppOpening"/>).</summary>
public static class AppOpeningModes
{
    /// <summary>Not from the app (the default: the door must be set up for one of the others first).</summary>
    public const string Off = "off";
    /// <summary>Asterisk calls the door, which auto-answers, and sends the door code as RFC 4733 DTMF.</summary>
    public const string Sip = "sip";
    /// <summary>The site's relay box triggers the door's relay through the door's HTTP API on the building's network.</summary>
    public const string SiteBox = "site-box";

    public static readonly string[] All = [Off, Sip, SiteBox];
}

internal sealed class DeviceConfiguration : IEntityTypeConfiguration<Device>
{
    public void Configure(EntityTypeBuilder<Device> e)
    {
        e.Property(d => d.Name).HasMaxLength(200);
        e.Property(d => d.SipUsername).HasMaxLength(64);
        e.Property(d => d.SipPasswordDigest).HasMaxLength(64);
        e.Property(d => d.Kind).HasConversion<string>().HasMaxLength(32);
        e.Property(d => d.AppOpening).HasMaxLength(16).HasDefaultValue(AppOpeningModes.Off);
        e.Property(d => d.ActionUrlTokenHash).HasMaxLength(32);
        e.Property(d => d.SipTransport).HasConversion<string>().HasMaxLength(8);
        e.Property(d => d.MediaEncryption).HasConversion<string>().HasMaxLength(8);
        e.HasIndex(d => d.SipUsername).IsUnique();
        e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Apartment>().WithMany().HasForeignKey(d => d.ApartmentId).OnDelete(DeleteBehavior.SetNull);
    }
}
