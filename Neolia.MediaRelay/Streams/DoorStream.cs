using System.Diagnostics;
using Microsoft.Extensions.Options;
using Neolia.Contracts;
using Neolia.MediaRelay.Relaying;

namespace Neolia.MediaRelay.Streams;

/// <summary>
/// One call's door video, for as long as the call lasts: asks CallApi for the stream, takes the visitor's snapshot,
/// runs ffmpeg from the door's RTSP to the call's ingress and restarts it when it fails or stalls. The apps hear when
/// the video goes live or becomes unavailable; the reason of the first failure is logged once for the call.
/// </summary>
public sealed class DoorStream(Guid callId, RelayApiClient api, ChildProcesses processes, RelayOptions options, ILogger logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    private string? _reportedState;
    private bool _failureLogged;

    public Guid CallId => callId;

    /// <summary>Runs until the call is over for CallApi or <paramref name="stop"/> is cancelled (call ended, lease lost, shutdown).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var delay = FirstRetryDelay;
        var snapshotTaken = false;
        while (!stop.IsCancellationRequested)
        {
            var (answer, stream) = await api.StreamAsync(callId, stop);
            if (answer == StreamAnswer.Gone) return;
            string failure;
            if (stream is null)
            {
                failure = "CallApi could not give the call's stream (CallApi or LiveKit Ingress unavailable)";
            }
            else
            {
                if (!snapshotTaken)
                {
                    snapshotTaken = true;
                    _ = TakeSnapshotAsync(stream, stop);
                }
                (failure, var wentLive) = await RelayAsync(stream, stop);
                if (wentLive) delay = FirstRetryDelay; // a new outage starts its backoff afresh
            }
            if (stop.IsCancellationRequested) return;
            await ReportAsync(VideoStates.Unavailable, failure, stop);
            if (!_failureLogged)
            {
                _failureLogged = true;
                logger.LogWarning("Door video of call {CallId} unavailable: {Reason}; retrying while the call lasts", callId, failure);
            }
            try { await Task.Delay(delay, stop); } catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
        }
    }

    /// <returns>Why it stopped (redacted), and whether it had been live.</returns>
    private async Task<(string Reason, bool WentLive)> RelayAsync(RelayStream stream, CancellationToken stop)
    {
        var secrets = Ffmpeg.SecretsOf(stream.RtspUrl).Concat(Ffmpeg.SecretsOf(stream.PublishUrl)).ToArray();
        using var process = await processes.StartAsync(options.FfmpegPath, Ffmpeg.Relay(stream.RtspUrl, stream.PublishUrl));
        string? lastError = null;
        long frames = 0;
        var lastProgress = Stopwatch.StartNew();
        var wentLive = false;
        process.ErrorDataReceived += (_, e) => { if (!string.IsNullOrWhiteSpace(e.Data)) lastError = e.Data; };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.StartsWith("frame=", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6), out var n) && n > Interlocked.Read(ref frames))
            {
                Interlocked.Exchange(ref frames, n);
                lock (lastProgress) lastProgress.Restart();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var stalled = false;
        try
        {
            while (!process.HasExited)
            {
                await Task.WhenAny(process.WaitForExitAsync(stop), Task.Delay(250, stop));
                if (stop.IsCancellationRequested) break;
                if (!wentLive && Interlocked.Read(ref frames) > 0)
                {
                    wentLive = true;
                    await ReportAsync(VideoStates.Live, null, stop);
                }
                TimeSpan sinceProgress;
                lock (lastProgress) sinceProgress = lastProgress.Elapsed;
                if (!process.HasExited && sinceProgress > options.StallTimeout + (wentLive ? TimeSpan.Zero : TimeSpan.FromSeconds(Ffmpeg.SocketTimeoutMicroseconds / 1e6)))
                {
                    stalled = true;
                    break;
                }
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            if (!process.HasExited)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        if (stalled) return ($"no frame from the camera for {options.StallTimeout.TotalSeconds:0.#} s (stream stalled)", wentLive);
        var reason = stop.IsCancellationRequested ? "stopped"
            : lastError is null ? $"ffmpeg exited with code {process.ExitCode}" : Ffmpeg.Redact(lastError, secrets);
        return (wentLive ? $"the stream stopped: {reason}" : reason, wentLive);
    }

    private async Task TakeSnapshotAsync(RelayStream stream, CancellationToken stop)
    {
        var (jpeg, failure) = await CameraSnapshot.TakeAsync(processes, options.FfmpegPath, stream.RtspUrl, stop);
        if (jpeg is null)
        {
            if (!stop.IsCancellationRequested) logger.LogInformation("No snapshot for call {CallId}: {Reason}", callId, failure);
            return;
        }
        try
        {
            await api.PutSnapshotAsync(callId, jpeg, stop);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            logger.LogInformation("No snapshot for call {CallId}: {Reason}", callId, Ffmpeg.Redact(e.Message, Ffmpeg.SecretsOf(stream.RtspUrl).ToArray()));
        }
    }

    /// <summary>Tells CallApi (and so the apps) when the video's state changes; a failure to tell is not retried.</summary>
    private async Task ReportAsync(string state, string? reason, CancellationToken stop)
    {
        if (_reportedState == state) return;
        try
        {
            await api.ReportVideoAsync(callId, state, reason, stop);
            _reportedState = state;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
        {
            logger.LogDebug("Could not report video {State} for call {CallId}: {Message}", state, callId, e.Message);
        }
    }
}
