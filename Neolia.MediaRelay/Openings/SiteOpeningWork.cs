using Neolia.Contracts;
using Neolia.MediaRelay.Relaying;

namespace Neolia.MediaRelay.Openings;

/// <summary>
/// A site box's door openings: a long poll to CallApi (outbound only, like the calls') hands out the site's pending
/// openings, each once; the box triggers the door's relay on the building's network and reports what the door said.
/// </summary>
public sealed class SiteOpeningWork(RelayApiClient api, AkuvoxDoorClient doors, ILogger<SiteOpeningWork> logger) : BackgroundService
{
    private const int WaitSeconds = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var list = await api.ClaimOpeningsAsync(WaitSeconds, stoppingToken);
                if (failing) logger.LogInformation("CallApi reachable again for openings");
                failing = false;
                foreach (var opening in list.Openings) _ = CarryOutAsync(opening, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                if (!failing) logger.LogWarning("CallApi unreachable for openings ({Message}); retrying every 2 s", e.Message);
                failing = true;
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>One opening, beside the poll: a slow door does not delay the next opening.</summary>
    private async Task CarryOutAsync(SiteOpening opening, CancellationToken ct)
    {
        var report = await doors.TriggerAsync(opening, ct);
        logger.LogInformation("Opening {EventId} of door {DeviceId}: {Result}", opening.EventId, opening.DeviceId, report.Result);
        try
        {
            await api.ReportOpeningAsync(opening.EventId, report, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            logger.LogWarning("Result of opening {EventId} not reported ({Message}): CallApi answers the app door_unreachable", opening.EventId, e.Message);
        }
    }
}
