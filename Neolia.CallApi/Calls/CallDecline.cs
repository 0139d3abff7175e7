using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Neolia.CallApi.Data;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Calls;

/// <summary>
/// One resident's "not for me" on a ringing call. It stops the ringing for that resident only; the call becomes
/// <c>declined</c> once every active resident of the apartment has one (see <see cref="CallLifecycle.DeclineAsync"/>).
/// </summary>
public sealed class CallDecline : ITenantOwned
{
    public Guid CallId { get; set; }
    public Guid UserId { get; set; }
    public Guid TenantId { get; set; }
    public DateTimeOffset DeclinedAt { get; set; }
}

internal sealed class CallDeclineConfiguration : IEntityTypeConfiguration<CallDecline>
{
    public void Configure(EntityTypeBuilder<CallDecline> e)
    {
        // One decline per resident and call: a repeated decline is a no-op.
        e.HasKey(d => new { d.CallId, d.UserId });
        e.HasOne<Call>().WithMany().HasForeignKey(d => d.CallId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
        e.HasOne<Tenant>().WithMany().HasForeignKey(d => d.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
