using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;

namespace Neolia.CallApi.DoorEvents;

/// <summary>
/// One line of a door's log: a call, an opening (in a call, from the app, by an administrator), what the door itself
/// reported through its Action URL, or a change of its state. Kinds, methods and results are text, so a new feature
/// adds its own without a migration (<see cref="DoorEventKinds"/>).
/// </summary>
public sealed class DoorEvent : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SiteId { get; set; }
    public Guid DeviceId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>What happened: one of <see cref="DoorEventKinds"/> (or a kind a later feature adds).</summary>
    public required string Kind { get; set; }

    /// <summary>How the door was reached or reported: one of <see cref="DoorEventMethods"/>; null for a plain call.</summary>
    public string? Method { get; set; }

    /// <summary>Who acted (a resident, an administrator); null for the door's own events and calls.</summary>
    public Guid? UserId { get; set; }

    /// <summary>The apartment concerned: the one a call rang, or the acting resident's at the door's site.</summary>
    public Guid? ApartmentId { get; set; }

    /// <summary>What came of it: one of <see cref="DoorEventResults"/> for an opening; free text kinds may leave it null.</summary>
    public string? Result { get; set; }

    public Guid? CallId { get; set; }

    /// <summary>A picture of its own (an opening outside a call); a call's picture is the call's snapshot (<c>CallMedia</c>).</summary>
    public byte[]? Snapshot { get; set; }

    /// <summary>Anything else the source said (an Action URL's variables), as a JSON object; never a secret.</summary>
    public string? Details { get; set; }

    /// <summary>Set while an opening is in progress through a site box: when the box took it.</summary>
    public DateTimeOffset? ClaimedAt { get; set; }
}

/// <summary>The kinds of door events. Text in the database: a feature adds its own without a migration.</summary>
public static class DoorEventKinds
{
    public const string Call = "call";
    public const string OpenedInCall = "opened_in_call";
    public const string OpenedFromApp = "opened_from_app";
    public const string OpenedByAdmin = "opened_by_admin";
    /// <summary>The door's own event through its Action URL (card, PIN, button, relay…; the detail says which).</summary>
    public const string DoorReported = "door_reported";
    /// <summary>The device lost its registration or stopped answering Asterisk's qualify (DeviceStatus); the result says which.</summary>
    public const string DeviceOffline = "device_offline";
    /// <summary>The device is registered and reachable again.</summary>
    public const string DeviceOnline = "device_online";
}

public static class DoorEventMethods
{
    /// <summary>The door code as RFC 4733 DTMF on a SIP call (in a visitor's call, or a call made to open).</summary>
    public const string DtmfSip = "dtmf_sip";
    /// <summary>The building's site box triggered the door's relay through the door's HTTP API.</summary>
    public const string SiteBox = "site_box";
    /// <summary>The door acted on its own (card, PIN, exit button) and told us.</summary>
    public const string DoorLocal = "door_local";
}

/// <summary>What came of an opening (the answer of <c>POST /api/doors/{id}/open</c> says the same).</summary>
public static class DoorEventResults
{
    public const string Pending = "pending";
    public const string Opened = "opened";
    public const string DoorUnreachable = "door_unreachable";
    public const string NotAllowed = "not_allowed";
    public const string Disabled = "disabled";
    public const string RateLimited = "rate_limited";
    public const string Failed = "failed";
}

internal sealed class DoorEventConfiguration : IEntityTypeConfiguration<DoorEvent>
{
    public void Configure(EntityTypeBuilder<DoorEvent> e)
    {
        e.ToTable("door_events");
        e.Property(d => d.Kind).HasMaxLength(32);
        e.Property(d => d.Method).HasMaxLength(32);
        e.Property(d => d.Result).HasMaxLength(32);
        e.Property(d => d.Details).HasColumnType("jsonb");
        // The door's log, newest first; a resident's apartment's openings; the rate limits' windows; the retention sweep.
        e.HasIndex(d => new { d.DeviceId, d.OccurredAt });
        e.HasIndex(d => new { d.ApartmentId, d.OccurredAt });
        e.HasIndex(d => new { d.UserId, d.OccurredAt });
        e.HasIndex(d => d.OccurredAt);
        // A site box asks for its site's pending openings.
        e.HasIndex(d => new { d.SiteId, d.Result }).HasFilter($"\"{nameof(DoorEvent.Result)}\" = '{DoorEventResults.Pending}'");
        e.HasOne<Device>().WithMany().HasForeignKey(d => d.DeviceId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Site>().WithMany().HasForeignKey(d => d.SiteId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
