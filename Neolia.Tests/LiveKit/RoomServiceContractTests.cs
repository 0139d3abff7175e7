using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Neolia.CallApi.LiveKit;

namespace Neolia.Tests.LiveKit;

/// <summary>What our <c>RoomServiceClient</c> puts on the wire, next to what the official one sends for the same call.</summary>
public sealed class RoomServiceContractTests : IAsyncLifetime
{
    private readonly (string Key, string Secret) _credentials = Oracle.NewCredentials();
    private readonly ListLogger<RoomServiceClient> _log = new();
    private CapturingServer _server = null!;

    public async Task InitializeAsync() => _server = await CapturingServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private RoomServiceClient Client(string apiUrl, TimeSpan? timeout = null) => new(
        new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(10) },
        Options.Create(new LiveKitOptions { Url = "wss://x.test", ApiUrl = apiUrl, ApiKey = _credentials.Key, ApiSecret = _credentials.Secret }),
        TimeProvider.System, _log);

    private async Task<(CapturingServer.Captured Ours, CapturingServer.Captured Official)> CaptureBothAsync(
        Func<RoomServiceClient, Task<RoomServiceResult>> ours, string method, object args)
    {
        var result = await ours(Client(_server.Url));
        Assert.True(result.Succeeded, result.Error);
        Assert.True(_server.Requests.TryDequeue(out var our));

        var official = await Oracle.RunAsync("room-service.mjs", new { host = _server.Url, apiKey = _credentials.Key, apiSecret = _credentials.Secret, method, args });
        Assert.True((bool)official["ok"]!, official.ToJsonString());
        Assert.True(_server.Requests.TryDequeue(out var their));
        Assert.True(_server.Requests.IsEmpty, "one request each");
        return (our!, their!);
    }

    private Task AssertSameRequestAsync(CapturingServer.Captured ours, CapturingServer.Captured official, string expectedGrantsJson) =>
        TwirpContract.AssertSameRequestAsync(ours, official, _credentials, new Dictionary<string, string> { ["video"] = expectedGrantsJson });

    [Fact]
    public async Task CreateRoom_sends_what_the_official_client_sends()
    {
        var (ours, official) = await CaptureBothAsync(c => c.CreateRoomAsync("call-1").ContinueWith(t => (RoomServiceResult)t.Result),
            "createRoom", new { name = "call-1", emptyTimeout = 300, maxParticipants = 100 });

        Assert.Equal("/twirp/livekit.RoomService/CreateRoom", ours.Path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"name":"call-1","emptyTimeout":300,"maxParticipants":100}"""), JsonNode.Parse(ours.Body)), ours.Body);
        await AssertSameRequestAsync(ours, official, """{"roomCreate":true}""");
    }

    [Fact]
    public async Task DeleteRoom_sends_what_the_official_client_sends()
    {
        var (ours, official) = await CaptureBothAsync(c => c.DeleteRoomAsync("call-1"), "deleteRoom", new { room = "call-1" });

        Assert.Equal("/twirp/livekit.RoomService/DeleteRoom", ours.Path);
        await AssertSameRequestAsync(ours, official, """{"roomCreate":true}""");
    }

    [Theory]
    [InlineData("")]
    [InlineData("call-1,call-2")]
    public async Task ListRooms_sends_what_the_official_client_sends(string commaSeparatedNames)
    {
        var names = commaSeparatedNames.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var (ours, official) = await CaptureBothAsync(c => c.ListRoomsAsync(names).ContinueWith(t => (RoomServiceResult)t.Result),
            "listRooms", new { names });

        Assert.Equal("/twirp/livekit.RoomService/ListRooms", ours.Path);
        await AssertSameRequestAsync(ours, official, """{"roomList":true}""");
    }

    [Fact]
    public async Task Answers_are_read()
    {
        var created = await Client(_server.Url).CreateRoomAsync("call-1");
        Assert.Equal(new LiveKitRoom { Sid = "RM_abc", Name = "call-1", EmptyTimeout = 300, MaxParticipants = 100 }, created.Value);

        var listed = await Client(_server.Url).ListRoomsAsync();
        Assert.Equal("RM_list", Assert.Single(listed.Value!).Sid);
    }

    [Fact]
    public async Task A_server_error_is_logged_and_returned_not_thrown()
    {
        _server.Respond = _ => (503, """{"code":"unavailable","msg":"node draining"}""", TimeSpan.Zero);

        var result = await Client(_server.Url).CreateRoomAsync("call-1");

        Assert.False(result.Succeeded);
        Assert.Contains("503", result.Error);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("CreateRoom") && e.Message.Contains("node draining"));
    }

    [Fact]
    public async Task An_unreachable_server_is_logged_and_returned_not_thrown()
    {
        var result = await Client($"http://127.0.0.1:{CapturingServer.FreePort()}").DeleteRoomAsync("call-1");

        Assert.False(result.Succeeded);
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("DeleteRoom"));
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_is_logged_and_returned_not_thrown()
    {
        _server.Respond = _ => (200, "{}", TimeSpan.FromSeconds(5));

        var started = DateTime.UtcNow;
        var result = await Client(_server.Url, timeout: TimeSpan.FromMilliseconds(300)).CreateRoomAsync("call-1");

        Assert.False(result.Succeeded);
        Assert.Equal("LiveKit did not answer in time", result.Error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_swallowed()
    {
        _server.Respond = _ => (200, "{}", TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(_server.Url).CreateRoomAsync("call-1", cts.Token));
    }
}
