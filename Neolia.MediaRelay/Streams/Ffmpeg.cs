namespace Neolia.MediaRelay.Streams;

/// <summary>The ffmpeg command lines the relay runs (Debian's ffmpeg 5.1: RTMP out, no WHIP muxer).</summary>
public static class Ffmpeg
{
    /// <summary>RTSP socket timeout: an unreachable or silent camera makes ffmpeg give up after this.</summary>
    public const int SocketTimeoutMicroseconds = 5_000_000;

    private static IEnumerable<string> Input(string rtspUrl) =>
    [
        "-hide_banner", "-nostdin", "-loglevel", "error",
        "-rtsp_transport", "tcp", "-timeout", SocketTimeoutMicroseconds.ToString(),
        // Enough to learn the stream's parameters (usually in the SDP already) without holding the start up.
        "-analyzeduration", "500000", "-probesize", "500000",
        "-i", rtspUrl,
    ];

    /// <summary>
    /// The door's H.264 copied as it is (no decoding, no encoding) into FLV over RTMP; progress (frame counts) on
    /// stdout every half second for the stall watchdog. Audio stays on the SIP path.
    /// </summary>
    public static IEnumerable<string> Relay(string rtspUrl, string publishUrl) =>
    [
        .. Input(rtspUrl),
        "-map", "0:v:0", "-c:v", "copy", "-an",
        "-f", "flv", "-flvflags", "no_duration_filesize", publishUrl,
        "-progress", "pipe:1", "-stats_period", "0.5",
    ];

    /// <summary>The first decodable frame as one JPEG on stdout, at the stream's own size.</summary>
    public static IEnumerable<string> Snapshot(string rtspUrl) =>
    [
        .. Input(rtspUrl),
        "-frames:v", "1", "-an", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2pipe", "pipe:1",
    ];

    /// <summary>
    /// ffmpeg names its input and output in its errors: the camera's credentials, its URL (which may hold a token) and
    /// the ingress's stream key are replaced before anything reaches a log or CallApi.
    /// </summary>
    public static string Redact(string text, params string?[] secrets)
    {
        foreach (var secret in secrets.OfType<string>().Where(s => s.Length >= 3).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>Everything in an RTSP or publish URL that must not be logged: the whole URL, its user info, its last path segment.</summary>
    public static IEnumerable<string> SecretsOf(string url)
    {
        yield return url;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) yield break;
        foreach (var part in uri.UserInfo.Split(':')) { yield return part; yield return Uri.UnescapeDataString(part); }
        yield return uri.Segments[^1];
        yield return uri.PathAndQuery;
    }
}
