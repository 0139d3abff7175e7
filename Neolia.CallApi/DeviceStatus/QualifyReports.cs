using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>
/// What Asterisk's qualify (SIP OPTIONS to each contact) says, as ARI's <c>ContactStatusChange</c> reports it: a
/// registered device that stops answering is offline before its registration runs out. Reports are queued by the
/// event reader (which never waits) and applied by <see cref="DevicePresenceMonitor"/>, which then checks at once.
/// </summary>
public sealed class QualifyReports(IDbContextFactory<NeoliaDb> databases, TimeProvider time)
{
    private readonly Channel<(string Account, bool Reachable)> _reports = Channel.CreateBounded<(string, bool)>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Reports taken from the queue and not yet applied (the last round failed), the newest per SIP account.</summary>
    private readonly Dictionary<string, bool> _pending = new(StringComparer.Ordinal);

    /// <summary>A contact of SIP account <paramref name="account"/> changed status (events.json <c>ContactInfo.contact_status</c>).</summary>
    public void Report(string account, string contactStatus)
    {
        // Unknown says nothing yet; Removed is a registration gone, which ps_contacts shows.
        bool? reachable = contactStatus switch { "Unreachable" => false, "Reachable" or "NonQualified" or "Removed" => true, _ => null };
        if (reachable is { } r) _reports.Writer.TryWrite((account, r));
    }

    /// <summary>Waits for a report or for <paramref name="interval"/>; false when stopping.</summary>
    public async Task<bool> WaitAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(interval);
        try { await _reports.Reader.WaitToReadAsync(timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
        catch (OperationCanceledException) { return false; }
        return true;
    }

    /// <summary>
    /// Applies the queued reports, the newest per account. A report is kept until PostgreSQL has taken it: when an
    /// update fails, it and those not yet applied wait for the next round, unless a newer report for the same account
    /// arrives meanwhile (which then replaces it). Only the monitor's loop calls this (the queue's single reader).
    /// </summary>
    public async Task ApplyAsync(CancellationToken ct)
    {
        Take();
        if (_pending.Count == 0) return;
        await using var db = await databases.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var now = time.GetUtcNow();
        do
        {
            foreach (var (account, reachable) in _pending.ToArray())
            {
                var presence = db.Set<DevicePresence>().Where(p => db.Devices.Any(d => d.Id == p.DeviceId && d.SipUsername == account));
                if (reachable) await presence.Where(p => p.UnreachableSince != null).ExecuteUpdateAsync(s => s.SetProperty(p => p.UnreachableSince, (DateTimeOffset?)null), ct);
                else await presence.Where(p => p.UnreachableSince == null).ExecuteUpdateAsync(s => s.SetProperty(p => p.UnreachableSince, now), ct);
                _pending.Remove(account);
            }
            Take(); // what arrived while applying
        }
        while (_pending.Count > 0);
    }

    /// <summary>Moves the queued reports into <see cref="_pending"/>, in order: a newer report for an account replaces an older one.</summary>
    private void Take()
    {
        while (_reports.Reader.TryRead(out var report)) _pending[report.Account] = report.Reachable;
    }
}
