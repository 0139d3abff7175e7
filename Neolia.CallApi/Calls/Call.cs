using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;
using Neolia.CallApi.Data;
using Neolia.Contracts;

namespace Neolia.CallApi.Calls;

/// <summary>One visitor's ring at one door for one apartment, from ringing to its outcome: the call history.</summary>
public sealed class Call : ITenantOwned
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid DeviceId { get; set; }
    public Guid ApartmentId { get; set; }

    /// <summary>Asterisk's UNIQUEID of the door's channel; unique, so a door channel has one call however often it is reported.</summary>
    public required string AsteriskCallId { get; set; }

    /// <summary>What Asterisk reported as the caller (door endpoint or caller id).</summary>
    public required string Caller { get; set; }

    public required string Room { get; set; }

    /// <summary>One of <see cref="CallStatuses"/>.</summary>
    public string Status { get; set; } = CallStatuses.Ringing;

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public Guid? AnsweredByUserId { get; set; }
    /// <summary>Why the call finished, in Neolia's words (<see cref="CallEndReasons"/>).</summary>
    public string? EndReason { get; set; }

    /// <summary>Seconds the door was connected to the answerer, as the call control measured it.</summary>
    public int? AnsweredSeconds { get; set; }

    /// <summary>Seconds from the door's arrival in the call control to the end of the call.</summary>
    public int? DialedSeconds { get; set; }

    /// <summary>When the answerer last opened the door during this call (each opening is a <see cref="DoorOpening"/>).</summary>
    public DateTimeOffset? DoorOpenedAt { get; set; }

    /// <summary>The Q.850 cause Asterisk reported for the door's channel (ChannelDestroyed), when it did.</summary>
    public string? HangupCause { get; set; }

    /// <summary>Rung by an administrator's "test this door" rather than by a visitor.</summary>
    public bool IsTest { get; set; }
}

internal sealed class CallConfiguration : IEntityTypeConfiguration<Call>
{
    public void Configure(EntityTypeBuilder<Call> e)
    {
        e.Property(c => c.AsteriskCallId).HasMaxLength(150);
        e.Property(c => c.Caller).HasMaxLength(200);
        e.Property(c => c.Room).HasMaxLength(100);
        e.Property(c => c.Status).HasMaxLength(16);
        e.Property(c => c.EndReason).HasMaxLength(64);
        e.Property(c => c.HangupCause).HasMaxLength(32);
        e.HasIndex(c => c.AsteriskCallId).IsUnique();
        // History is read newest first per apartment.
        e.HasIndex(c => new { c.ApartmentId, c.StartedAt });
        e.HasIndex(c => new { c.TenantId, c.StartedAt });
        // The ring-timeout sweeper looks only for ringing calls past their expiry: a small partial index.
        e.HasIndex(c => c.ExpiresAt).HasFilter($"\"{nameof(Call.Status)}\" = '{CallStatuses.Ringing}'");
        e.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Device>().WithMany().HasForeignKey(c => c.DeviceId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Apartment>().WithMany().HasForeignKey(c => c.ApartmentId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<User>().WithMany().HasForeignKey(c => c.AnsweredByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
