using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Neolia.DevStack;

namespace Neolia.Bench;

/// <summary>
/// Answers LiveKit's room service (Twirp) as a healthy LiveKit server would. There is no LiveKit on this machine:
/// without it every webhook's fire-and-forget CreateRoom fails, retries and logs a stack trace, which is not the
/// production path the bench means to measure.
/// </summary>
public sealed class LiveKitStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LiveKitStub(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }
    public long Requests => _requests;
    private static long _requests;

    public static async Task<LiveKitStub> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/twirp/livekit.RoomService/{method}", (string method) =>
        {
            Interlocked.Increment(ref _requests);
            return Results.Text("""{"sid":"RM_bench","name":"bench","empty_timeout":300,"max_participants":100}""", "application/json");
        });
        await app.StartAsync();
        return new LiveKitStub(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
