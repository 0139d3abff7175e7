namespace Neolia.MediaRelay.Streams;

/// <summary>One JPEG from a door's camera with ffmpeg (<see cref="Ffmpeg.Snapshot"/>): a call's visitor, an opening's picture.</summary>
public static class CameraSnapshot
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(8);

    /// <returns>The JPEG, or why there is none (redacted: never the camera's URL or credentials).</returns>
    public static async Task<(byte[]? Jpeg, string? Failure)> TakeAsync(ChildProcesses processes, string ffmpegPath, string rtspUrl, CancellationToken stop)
    {
        var secrets = Ffmpeg.SecretsOf(rtspUrl).ToArray();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(Timeout);
            using var process = await processes.StartAsync(ffmpegPath, Ffmpeg.Snapshot(rtspUrl));
            using var jpeg = new MemoryStream();
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.StandardOutput.BaseStream.CopyToAsync(jpeg, timeout.Token);
                await process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            if (process.ExitCode != 0 || jpeg.Length == 0)
            {
                return (null, Ffmpeg.Redact((await errors).Trim() is { Length: > 0 } e ? e.Split('\n')[^1] : $"ffmpeg exited with code {process.ExitCode}", secrets));
            }
            return (jpeg.ToArray(), null);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return (null, $"the camera gave no frame within {Timeout.TotalSeconds} s");
        }
        catch (InvalidOperationException e)
        {
            return (null, Ffmpeg.Redact(e.Message, secrets));
        }
    }
}
