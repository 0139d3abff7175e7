using Neolia.MediaRelay.Streams;
using Neolia.MediaRelay.Relaying;

namespace Neolia.MediaRelay.Work;

/// <summary>
/// A site box's work: a long poll to CallApi (through the gateway, outbound only, so the building's NAT is no
/// obstacle) answers with its site's calls that need video as soon as that list changes; the box streams exactly those.
/// </summary>
public sealed class SiteWork(RelayApiClient api, StreamSupervisor streams, ILogger<SiteWork> logger) : BackgroundService
{
    private const int WaitSeconds = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? tag = null;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var list = await api.ListCallsAsync(WaitSeconds, tag, stoppingToken);
                tag = list.Tag;
                if (failing) logger.LogInformation("CallApi reachable again");
                failing = false;
                foreach (var call in list.Calls) streams.Start(call.CallId);
                var ids = list.Calls.Select(c => c.CallId).ToHashSet();
                foreach (var running in streams.Calls.Where(id => !ids.Contains(id))) streams.Stop(running);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                if (!failing) logger.LogWarning("CallApi unreachable ({Message}); retrying every 2 s", e.Message);
                failing = true;
                tag = null;
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
