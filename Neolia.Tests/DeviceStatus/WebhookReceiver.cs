using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.DeviceStatus;

/// <summary>A tenant's alert receiver: records every POST, answers with the next of <see cref="Answers"/> (then 200).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Body, string? Signature, string? Timestamp, string? Delivery, DateTimeOffset At)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        /// <summary>Checks the signature as docs/administration.md tells a receiver to: HMAC-SHA256 over "{timestamp}.{body}".</summary>
        public bool IsSignedWith(string secret) =>
            Signature == "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{Timestamp}.{Body}")));
    }

    private readonly WebApplication _app;
    public ConcurrentQueue<Received> Requests { get; } = new();
    public ConcurrentQueue<int> Answers { get; } = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => LoopbackServer.UrlOf(_app) + "/neolia-alerts";

    public static async Task<WebhookReceiver> StartAsync(params int[] answers)
    {
        var app = LoopbackServer.Create();
        var receiver = new WebhookReceiver(app);
        foreach (var a in answers) receiver.Answers.Enqueue(a);
        app.MapPost("/neolia-alerts", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Requests.Enqueue(new Received(body, request.Headers["Neolia-Webhook-Signature"], request.Headers["Neolia-Webhook-Timestamp"],
                request.Headers["Neolia-Webhook-Delivery"], DateTimeOffset.UtcNow));
            return Results.StatusCode(receiver.Answers.TryDequeue(out var status) ? status : 200);
        });
        await app.StartAsync();
        return receiver;
    }

    public IReadOnlyList<Received> OfDevice(Guid deviceId) =>
        Requests.Where(r => r.Json.GetProperty("device").GetProperty("id").GetGuid() == deviceId).ToList();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
