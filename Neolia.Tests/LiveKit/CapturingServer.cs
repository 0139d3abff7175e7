using Neolia.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Neolia.Tests.LiveKit;

/// <summary>A real HTTP server on 127.0.0.1 (random port) that records each request and answers what it is told.</summary>
internal sealed class CapturingServer : IAsyncDisposable
{
    public sealed record Captured(string Method, string Path, string? ContentType, string? Authorization, string Body);

    private readonly WebApplication _app;
    public ConcurrentQueue<Captured> Requests { get; } = new();

    /// <summary>Status, JSON body and delay of the answers; LiveKit's room JSON by default.</summary>
    public Func<string, (int Status, string Body, TimeSpan Delay)> Respond { get; set; } = path => path.EndsWith("/ListRooms")
        ? (200, """{"rooms":[{"sid":"RM_list","name":"call-1","emptyTimeout":300,"maxParticipants":100,"creationTime":"1700000000"}]}""", TimeSpan.Zero)
        : path.EndsWith("/DeleteRoom")
            ? (200, "{}", TimeSpan.Zero)
            : (200, """{"sid":"RM_abc","name":"call-1","emptyTimeout":300,"maxParticipants":100,"creationTime":"1700000000","turnPassword":"","enabledCodecs":[]}""", TimeSpan.Zero);

    private CapturingServer(WebApplication app) => _app = app;

    public string Url => LoopbackServer.UrlOf(_app);

    public static async Task<CapturingServer> StartAsync()
    {
        var app = LoopbackServer.Create();
        var server = new CapturingServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            server.Requests.Enqueue(new Captured(context.Request.Method, context.Request.Path, context.Request.ContentType,
                context.Request.Headers.Authorization.ToString(), body));
            var (status, answer, delay) = server.Respond(context.Request.Path);
            if (delay > TimeSpan.Zero) await Task.Delay(delay, context.RequestAborted);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer);
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A loopback port nobody listens on (bound, then released).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
