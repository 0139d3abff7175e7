using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.LiveKit;
using Neolia.Contracts;

namespace Neolia.CallApi.Media;

public enum StreamOutcome { Ready, NotFound, Finished, NoCamera, IngressFailed }

/// <summary>The relays' side of CallApi: which calls need video, their ingresses, the visitor's snapshot, the video's state.</summary>
public sealed class CallMediaService(
    NeoliaDb db,
    DeviceSecrets cameras,
    IngressClient ingresses,
    CallEventPublisher events,
    CallRecipients recipients,
    TimeProvider time,
    ILogger<CallMediaService> logger)
{
    /// <summary>Calls that started longer ago than this are not streamed (a hangup that never arrived must not stream for ever).</summary>
    private static readonly TimeSpan MaxCallLength = TimeSpan.FromHours(2);

    private IQueryable<Call> CallsOf(RelayCaller relay)
    {
        db.TenantScope = TenantScope.All;
        var calls = db.Calls.AsQueryable();
        return relay.SiteId is { } siteId
            ? calls.Where(c => db.Devices.Any(d => d.Id == c.DeviceId && d.SiteId == siteId))
            : calls.Where(c => !db.Set<SiteRelay>().Any(r => db.Devices.Any(d => d.Id == c.DeviceId && d.SiteId == r.SiteId)));
    }

    public async Task<RelayCallList> ActiveCallsAsync(RelayCaller relay, CancellationToken ct)
    {
        var since = time.GetUtcNow() - MaxCallLength;
        var calls = await CallsOf(relay)
            .Where(c => (c.Status == CallStatuses.Ringing || c.Status == CallStatuses.Answered) && c.StartedAt > since
                && db.Devices.Any(d => d.Id == c.DeviceId && d.RtspUrlProtected != null))
            .OrderBy(c => c.Id)
            .Select(c => new RelayCall(c.Id, c.DeviceId, c.Status))
            .ToListAsync(ct);
        // The same list gives the same tag on every CallApi replica, so a long poll may land on any of them.
        var ids = System.Text.Encoding.ASCII.GetBytes(string.Join(',', calls.Select(c => $"{c.CallId:N}{c.Status}")));
        return new(calls, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ids))[..16]);
    }

    /// <summary>The call's stream: its ingress is created on the first request and reused by later ones (another replica taking over).</summary>
    public async Task<(StreamOutcome Outcome, RelayStream? Stream)> StreamAsync(RelayCaller relay, Guid callId, CancellationToken ct)
    {
        var call = await CallsOf(relay).Where(c => c.Id == callId).Select(c => new
        {
            c.Id, c.TenantId, c.DeviceId, c.Room, c.Status,
            Door = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => new { d.Name, d.RtspUrlProtected, d.RtspUsernameProtected, d.RtspPasswordProtected }).First(),
            Media = db.Set<CallMedia>().Where(m => m.CallId == c.Id).Select(m => new { m.PublishUrl }).FirstOrDefault(),
        }).SingleOrDefaultAsync(ct);
        if (call is null) return (StreamOutcome.NotFound, null);
        if (call.Status is not (CallStatuses.Ringing or CallStatuses.Answered)) return (StreamOutcome.Finished, null);
        if (call.Door.RtspUrlProtected is null) return (StreamOutcome.NoCamera, null);

        var publishUrl = call.Media?.PublishUrl;
        if (publishUrl is null)
        {
            var created = await ingresses.CreateIngressAsync(IngressInput.RtmpInput, new CreateIngressOptions
            {
                Name = call.Room,
                RoomName = call.Room,
                ParticipantIdentity = LiveKitTokens.DoorIdentity(call.DeviceId),
                ParticipantName = call.Door.Name,
            }, ct);
            if (created.Value is not { } ingress) return (StreamOutcome.IngressFailed, null);
            publishUrl = await KeepIngressAsync(call.Id, call.TenantId, ingress, ct);
        }

        var rtsp = WithCredentials(cameras.Unprotect(call.Door.RtspUrlProtected)!,
            cameras.Unprotect(call.Door.RtspUsernameProtected), cameras.Unprotect(call.Door.RtspPasswordProtected));
        return (StreamOutcome.Ready, new RelayStream(call.Id, call.DeviceId, call.Room, call.Status, rtsp, publishUrl));
    }

    /// <returns>The publish URL kept for the call: ours, or the one a concurrent request kept first (ours is then deleted).</returns>
    private async Task<string> KeepIngressAsync(Guid callId, Guid tenantId, IngressInfo ingress, CancellationToken ct)
    {
        var row = await db.Set<CallMedia>().SingleOrDefaultAsync(m => m.CallId == callId, ct);
        if (row is null) db.Add(row = new CallMedia { CallId = callId, TenantId = tenantId });
        if (row.PublishUrl is { } kept)
        {
            _ = ingresses.DeleteIngressAsync(ingress.IngressId, ingress.RoomName, CancellationToken.None);
            return kept;
        }
        (row.IngressId, row.PublishUrl) = (ingress.IngressId, ingress.PublishUrl);
        try
        {
            await db.SaveChangesAsync(ct);
            return ingress.PublishUrl;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return await KeepIngressAsync(callId, tenantId, ingress, ct);
        }
    }

    /// <summary>The camera's URL with its credentials as URL user info, which is how ffmpeg and GStreamer take them.</summary>
    public static string WithCredentials(string rtspUrl, string? username, string? password)
    {
        if (username is null && password is null) return rtspUrl;
        var uri = new Uri(rtspUrl);
        var userInfo = Uri.EscapeDataString(username ?? "") + (password is null ? "" : ":" + Uri.EscapeDataString(password));
        return $"{uri.Scheme}://{userInfo}@{uri.Authority}{uri.PathAndQuery}";
    }

    public async Task<bool> StoreSnapshotAsync(RelayCaller relay, Guid callId, byte[] jpeg, (int Width, int Height) size, CancellationToken ct)
    {
        var call = await CallsOf(relay).Where(c => c.Id == callId).Select(c => new { c.TenantId }).SingleOrDefaultAsync(ct);
        if (call is null) return false;
        var row = await db.Set<CallMedia>().SingleOrDefaultAsync(m => m.CallId == callId, ct);
        if (row is null) db.Add(row = new CallMedia { CallId = callId, TenantId = call.TenantId });
        (row.Snapshot, row.SnapshotWidth, row.SnapshotHeight, row.SnapshotTakenAt) = (jpeg, size.Width, size.Height, time.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return await StoreSnapshotAsync(relay, callId, jpeg, size, ct);
        }
        return true;
    }

    /// <summary>Records the video's new state and tells the apps (<c>call_updated</c> with <c>video</c>) when it changed.</summary>
    public async Task<bool> ReportVideoAsync(RelayCaller relay, Guid callId, string state, string? reason, CancellationToken ct)
    {
        var call = await CallsOf(relay).Where(c => c.Id == callId)
            .Select(c => new { c.TenantId, c.ApartmentId, c.DeviceId, c.Status, c.AnsweredByUserId, SiteId = db.Devices.Where(d => d.Id == c.DeviceId).Select(d => d.SiteId).First() })
            .SingleOrDefaultAsync(ct);
        if (call is null) return false;
        reason = reason is null ? null : reason.Length > 500 ? reason[..500] : reason;
        // The state change and its event in one transaction (the outbox rule), then published.
        StagedCallEvent? staged = null;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            staged = null;
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""INSERT INTO "CallMedia" ("CallId", "TenantId") VALUES ({callId}, {call.TenantId}) ON CONFLICT DO NOTHING""", ct);
            var changed = await db.Set<CallMedia>().Where(m => m.CallId == callId && (m.VideoState == null || m.VideoState != state))
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.VideoState, state)
                    .SetProperty(m => m.VideoUnavailableReason, m => m.VideoUnavailableReason ?? (state == VideoStates.Unavailable ? reason : null)), ct) == 1;
            if (!changed) return;
            if (call.Status is CallStatuses.Ringing or CallStatuses.Answered)
            {
                staged = CallEventPublisher.Stage(db, new CallEvent
                {
                    Type = CallEventTypes.VideoChanged,
                    CallId = callId,
                    TenantId = call.TenantId,
                    ApartmentId = call.ApartmentId,
                    Status = call.Status,
                    AnsweredBy = call.AnsweredByUserId,
                    OccurredAt = time.GetUtcNow(),
                    Video = new CallVideo(call.DeviceId, call.SiteId, relay.SiteId is null ? VideoRelays.Stack : VideoRelays.Site, state),
                    Recipients = (await recipients.OfApartmentsAsync([call.ApartmentId], ct))[call.ApartmentId].ToList(),
                }, time.GetUtcNow());
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
            logger.LogInformation("Door video of call {CallId} is {State}{Reason}", callId, state, reason is null ? "" : $" ({reason})");
        });
        if (staged is not null) await events.PublishStagedAsync(staged);
        return true;
    }

    /// <summary>A finished call's ingress is deleted (LiveKit disconnects the relay) and its publishing credential forgotten.</summary>
    /// <remarks>Runs in the caller's tenant scope: whoever ended the call can see it.</remarks>
    /// <summary>Releases the ingresses of many calls that finished together (the ring-timeout sweeper's batch): one query when none has one.</summary>
    public async Task ReleaseAsync(IReadOnlyCollection<(Guid CallId, string Room)> calls)
    {
        if (calls.Count == 0) return;
        var ids = calls.Select(c => c.CallId).ToList();
        var withIngress = (await db.Set<CallMedia>().Where(m => ids.Contains(m.CallId) && m.IngressId != null)
            .Select(m => m.CallId).ToListAsync(CancellationToken.None)).ToHashSet();
        foreach (var (callId, room) in calls)
        {
            if (withIngress.Contains(callId)) await ReleaseAsync(callId, room);
        }
    }

    public async Task ReleaseAsync(Guid callId, string room)
    {
        var ingressId = await db.Set<CallMedia>().Where(m => m.CallId == callId && m.IngressId != null)
            .Select(m => m.IngressId).FirstOrDefaultAsync(CancellationToken.None);
        if (ingressId is null) return;
        await db.Set<CallMedia>().Where(m => m.CallId == callId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IngressId, (string?)null).SetProperty(m => m.PublishUrl, (string?)null), CancellationToken.None);
        // Not awaited, as the room's deletion: the client logs LiveKit's failures and has its own timeouts.
        _ = ingresses.DeleteIngressAsync(ingressId, room, CancellationToken.None);
    }
}
