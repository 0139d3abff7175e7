using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Neolia.Contracts;
using Neolia.MediaRelay.Relaying;
using Neolia.MediaRelay.Streams;
using StackExchange.Redis;

namespace Neolia.MediaRelay.Openings;

/// <summary>
/// The picture of each opening from the app, when the door has a camera this relay reaches: every
/// <see cref="RelayOptions.SweepInterval"/> it asks CallApi for the openings of the last moments that have none, takes
/// one JPEG from each door's camera (as for a call's visitor) and stores it with the opening. Each opening is tried
/// once by this relay; in the stack, a Redis key lets only one replica try it.
/// </summary>
public sealed class OpeningSnapshotWork(RelayApiClient api, ChildProcesses processes, IOptions<RelayOptions> options,
    ILogger<OpeningSnapshotWork> logger, IConnectionMultiplexer? redis = null) : BackgroundService
{
    /// <summary>Longer than CallApi's window (DoorOpening:SnapshotWindow, 30 s): an opening is never tried twice.</summary>
    private static readonly TimeSpan Remember = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<Guid, DateTime> _tried = new();
    private readonly SemaphoreSlim _cameras = new(4);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var wanted = await api.ListOpeningSnapshotsAsync(stoppingToken);
                if (failing) logger.LogInformation("CallApi reachable again for opening pictures");
                failing = false;
                foreach (var old in _tried.Where(t => DateTime.UtcNow - t.Value > Remember).Select(t => t.Key)) _tried.TryRemove(old, out _);
                foreach (var opening in wanted.Openings)
                {
                    if (!_tried.TryAdd(opening.EventId, DateTime.UtcNow) || !await ClaimAsync(opening.EventId)) continue;
                    _ = TakeAsync(opening, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or RedisException or TimeoutException)
            {
                if (!failing) logger.LogWarning("Opening pictures: sweep failed ({Message}); retrying", e.Message);
                failing = true;
            }
        }
    }

    /// <summary>Stack replicas share the work: the first to set the opening's key takes its picture. A site box is alone.</summary>
    private async Task<bool> ClaimAsync(Guid eventId) =>
        redis is null || await redis.GetDatabase().StringSetAsync($"neolia:media-relay:opening-snapshot:{eventId:N}", "taken", Remember, When.NotExists);

    private async Task TakeAsync(OpeningSnapshot opening, CancellationToken stop)
    {
        await _cameras.WaitAsync(stop);
        try
        {
            var (jpeg, failure) = await CameraSnapshot.TakeAsync(processes, options.Value.FfmpegPath, opening.RtspUrl, stop);
            if (jpeg is null)
            {
                logger.LogInformation("No picture for opening {EventId} of door {DeviceId}: {Reason}", opening.EventId, opening.DeviceId, failure);
                return;
            }
            await api.PutOpeningSnapshotAsync(opening.EventId, jpeg, stop);
            logger.LogInformation("Picture of opening {EventId} of door {DeviceId} stored ({Bytes} bytes)", opening.EventId, opening.DeviceId, jpeg.Length);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
        {
            logger.LogInformation("Picture of opening {EventId} not stored: {Message}", opening.EventId, Ffmpeg.Redact(e.Message, Ffmpeg.SecretsOf(opening.RtspUrl).ToArray()));
        }
        finally
        {
            _cameras.Release();
        }
    }
}
