using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Neolia.MediaRelay.Relaying;

namespace Neolia.MediaRelay.Streams;

/// <summary>The door streams this relay runs, one per call; started and stopped by the work source (stack or site).</summary>
public sealed class StreamSupervisor(RelayApiClient api, ChildProcesses processes, IOptions<RelayOptions> options,
    ILogger<StreamSupervisor> logger, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<Guid, (CancellationTokenSource Stop, Task Running)> _streams = new();

    public int Count => _streams.Count;

    public bool IsRunning(Guid callId) => _streams.ContainsKey(callId);

    public IReadOnlyCollection<Guid> Calls => _streams.Keys.ToList();

    /// <summary>Starts the call's stream unless it runs already; <paramref name="ended"/> runs when it ends, whatever the reason.</summary>
    public bool Start(Guid callId, Action<Guid>? ended = null)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        var gate = new TaskCompletionSource();
        if (!_streams.TryAdd(callId, (stop, gate.Task)))
        {
            stop.Dispose();
            return false;
        }
        var running = Task.Run(async () =>
        {
            await gate.Task;
            try
            {
                logger.LogInformation("Relaying the door of call {CallId}", callId);
                await new DoorStream(callId, api, processes, options.Value, logger).RunAsync(stop.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Door stream of call {CallId} failed", callId);
            }
            finally
            {
                _streams.TryRemove(callId, out _);
                stop.Dispose();
                logger.LogInformation("Stopped relaying the door of call {CallId}", callId);
                ended?.Invoke(callId);
            }
        });
        _streams[callId] = (stop, running);
        gate.SetResult();
        return true;
    }

    public void Stop(Guid callId)
    {
        if (_streams.TryGetValue(callId, out var stream))
        {
            try { stream.Stop.Cancel(); } catch (ObjectDisposedException) { }
        }
    }
}
