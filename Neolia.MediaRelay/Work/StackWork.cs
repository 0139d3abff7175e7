using System.Text.Json;
using Microsoft.Extensions.Options;
using Neolia.Contracts;
using Neolia.MediaRelay.Relaying;
using Neolia.MediaRelay.Streams;
using StackExchange.Redis;

namespace Neolia.MediaRelay.Work;

/// <summary>
/// A stack replica's work. Fast path: it follows the call-event stream (woken by the publisher's pub/sub poke) and,
/// on a ring of a door whose video the stack relays, takes the call's lease and starts streaming; it stops on the
/// call's end. Slow path, every <see cref="RelayOptions.SweepInterval"/>: it renews its leases (a lease lost means
/// another replica has the call: stop) and asks CallApi which calls need video, taking any whose lease is free —
/// a dead replica's calls, or rings it missed.
/// </summary>
public sealed class StackWork(
    IConnectionMultiplexer redis,
    CallLeases leases,
    StreamSupervisor streams,
    RelayApiClient api,
    IOptions<RelayOptions> options,
    ILogger<StackWork> logger) : BackgroundService
{
    private readonly SemaphoreSlim _poke = new(0, 1);
    private bool _sweepFailing;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(FollowEventsAsync(stoppingToken), SweepAsync(stoppingToken));

    private async Task FollowEventsAsync(CancellationToken stop)
    {
        await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(CallEventStream.NotifyChannel), (_, _) =>
        {
            if (_poke.CurrentCount == 0) try { _poke.Release(); } catch (SemaphoreFullException) { }
        });
        RedisValue position = RedisValue.Null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var db = redis.GetDatabase();
                if (position.IsNull)
                {
                    // From the end: calls that rang before this replica started are found by the sweep.
                    var last = await db.StreamRangeAsync(CallEventStream.Key, "-", "+", count: 1, messageOrder: Order.Descending);
                    position = last.Length == 0 ? "0-0" : last[0].Id;
                }
                StreamEntry[] entries;
                do
                {
                    entries = await db.StreamReadAsync(CallEventStream.Key, position, 256);
                    foreach (var entry in entries)
                    {
                        position = entry.Id;
                        if (Read(entry) is { } e) await HandleAsync(e);
                    }
                } while (entries.Length == 256);
                await _poke.WaitAsync(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning("Call event stream unavailable ({Message}); retrying", e.Message);
                await Task.Delay(500, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private CallEvent? Read(StreamEntry entry)
    {
        try
        {
            return JsonSerializer.Deserialize((byte[])entry[CallEventStream.DataField]!, ContractsJson.Default.CallEvent);
        }
        catch (JsonException)
        {
            logger.LogWarning("Skipped unreadable call event {EntryId}", entry.Id);
            return null;
        }
    }

    private async Task HandleAsync(CallEvent e)
    {
        switch (e.Type)
        {
            case CallEventTypes.Ringing when e.Video?.Relay == VideoRelays.Stack:
                await TryTakeAsync(e.CallId);
                break;
            case CallEventTypes.Ended:
                streams.Stop(e.CallId);
                break;
        }
    }

    private async Task TryTakeAsync(Guid callId)
    {
        if (streams.IsRunning(callId) || streams.Count >= options.Value.MaxStreams) return;
        if (!await leases.TryAcquireAsync(callId)) return;
        if (!streams.Start(callId, ended => _ = leases.ReleaseAsync(ended)))
        {
            await leases.ReleaseAsync(callId);
        }
    }

    private async Task SweepAsync(CancellationToken stop)
    {
        var o = options.Value;
        // Renewals come at a third of the lease time, so two may be missed before a healthy lease expires.
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Min(o.SweepInterval.Ticks, o.LeaseTime.Ticks / 3)));
        var lastSweep = DateTime.MinValue;
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            try
            {
                foreach (var callId in streams.Calls)
                {
                    if (!await leases.RenewAsync(callId))
                    {
                        logger.LogWarning("Lease of call {CallId} lost: another replica relays it now", callId);
                        streams.Stop(callId);
                    }
                }
                if (DateTime.UtcNow - lastSweep < o.SweepInterval) continue;
                lastSweep = DateTime.UtcNow;
                var wanted = await api.ListCallsAsync(0, null, stop);
                foreach (var call in wanted.Calls) await TryTakeAsync(call.CallId);
                var ids = wanted.Calls.Select(c => c.CallId).ToHashSet();
                foreach (var running in streams.Calls.Where(id => !ids.Contains(id))) streams.Stop(running);
                if (_sweepFailing) logger.LogInformation("Relay sweep works again");
                _sweepFailing = false;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or HttpRequestException or TaskCanceledException)
            {
                if (!_sweepFailing) logger.LogWarning("Relay sweep failed ({Message}); retrying", e.Message);
                _sweepFailing = true;
            }
        }
    }
}
