using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Data;
using Neolia.CallApi.PushRegistrations;
using Neolia.Contracts;

namespace Neolia.CallApi.Calls;

/// <summary>
/// Who a call concerns: the one place that builds <see cref="CallEvent.Recipients"/>, used by every publisher (the
/// door ring, the lifecycle, the timeout sweeper, the LiveKit events). Whatever a recipient needs to be reached
/// (push targets, later) is loaded here, so no publisher can forget it.
/// </summary>
public sealed class CallRecipients(NeoliaDb db)
{
    /// <summary>Who of an apartment's members is rung and told: the active ones.</summary>
    public static readonly Expression<Func<ApartmentMembership, bool>> IsRecipient = m => m.User!.IsActive;

    /// <summary>Some residents, with their push targets (an event for one resident alone, such as their decline).</summary>
    public async Task<List<CallRecipient>> OfUsersAsync(IReadOnlyCollection<Guid> userIds, CancellationToken ct) =>
        (await db.Users
            .Where(u => userIds.Contains(u.Id))
            .OrderBy(u => u.Id)
            .Select(u => new
            {
                u.Id,
                Push = db.Set<PushRegistration>().Where(p => p.UserId == u.Id).Select(p => new PushTarget(p.Id, p.Platform, p.Token)).ToList(),
            })
            .ToListAsync(ct))
        .Select(r => new CallRecipient(r.Id, null, r.Push)).ToList();

    /// <summary>
    /// The active residents of each of the apartments, with their push targets (the events are staged in the outbox
    /// as they will be sent): one query for a whole batch of calls.
    /// </summary>
    public async Task<ILookup<Guid, CallRecipient>> OfApartmentsAsync(IReadOnlyCollection<Guid> apartmentIds, CancellationToken ct) =>
        (await db.ApartmentMemberships
            .Where(m => apartmentIds.Contains(m.ApartmentId))
            .Where(IsRecipient)
            .OrderBy(m => m.UserId)
            .Select(m => new
            {
                m.ApartmentId,
                m.UserId,
                Push = db.Set<PushRegistration>().Where(p => p.UserId == m.UserId).Select(p => new PushTarget(p.Id, p.Platform, p.Token)).ToList(),
            })
            .ToListAsync(ct))
        .ToLookup(r => r.ApartmentId, r => new CallRecipient(r.UserId, null, r.Push));
}
