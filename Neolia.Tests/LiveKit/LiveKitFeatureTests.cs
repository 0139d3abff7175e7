using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Neolia.CallApi.LiveKit;

namespace Neolia.Tests.LiveKit;

/// <summary>AddLiveKit's registrations, with the service defaults' resilience for every HTTP client.</summary>
public sealed class LiveKitFeatureTests
{
    private static async Task<(IHost Host, CapturingServer Server)> StartAsync()
    {
        var server = await CapturingServer.StartAsync();
        var (key, secret) = Oracle.NewCredentials();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LiveKit:Url"] = "wss://intercom.example.test",
            ["LiveKit:ApiUrl"] = server.Url,
            ["LiveKit:ApiKey"] = key,
            ["LiveKit:ApiSecret"] = secret,
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        builder.AddLiveKit();
        return (builder.Build(), server);
    }

    [Fact]
    public async Task The_room_client_and_webhook_receiver_resolve_with_the_configured_server()
    {
        var (host, server) = await StartAsync();
        await using var _ = server;
        using var __ = host;

        var result = await host.Services.GetRequiredService<RoomServiceClient>().CreateRoomAsync("call-1");

        Assert.True(result.Succeeded, result.Error);
        Assert.Single(server.Requests);
        Assert.NotNull(host.Services.GetRequiredService<WebhookReceiver>());
        using var scope = host.Services.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<LiveKitEventHandler>());
    }

    [Fact]
    public async Task A_failing_server_is_retried_once_not_with_the_default_pipeline()
    {
        var (host, server) = await StartAsync();
        await using var _ = server;
        using var __ = host;
        server.Respond = _ => (503, """{"code":"unavailable","msg":"restarting"}""", TimeSpan.Zero);

        var result = await host.Services.GetRequiredService<RoomServiceClient>().DeleteRoomAsync("call-1");

        Assert.False(result.Succeeded);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_server_that_hangs_is_given_up_on_by_the_pipeline_without_an_exception()
    {
        var (host, server) = await StartAsync();
        await using var _ = server;
        using var __ = host;
        server.Respond = _ => (200, "{}", TimeSpan.FromSeconds(30));

        var started = DateTime.UtcNow;
        var result = await host.Services.GetRequiredService<RoomServiceClient>().CreateRoomAsync("call-1");

        Assert.False(result.Succeeded);
        Assert.Equal("LiveKit did not answer in time", result.Error);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(11));
    }

    [Theory]
    [InlineData("wss://intercom.example.test", "http://livekit:7880", true)]
    [InlineData("ws://localhost:7880", "https://livekit.internal", true)]
    [InlineData("intercom.example.test", "http://livekit:7880", false)]
    [InlineData("wss://intercom.example.test", "ftp://livekit", false)]
    public void Options_accept_websocket_client_urls_and_refuse_relative_ones(string url, string apiUrl, bool valid)
    {
        var options = new LiveKitOptions { Url = url, ApiUrl = apiUrl, ApiKey = "key", ApiSecret = new string('s', 32) };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();

        Assert.Equal(valid, System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true));
    }
}
