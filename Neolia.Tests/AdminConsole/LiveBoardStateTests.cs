using Neolia.AdminConsole.Api;
using Neolia.AdminConsole.Board;
using Neolia.Contracts;

namespace Neolia.Tests.AdminConsole;

/// <summary>The live board's bookkeeping: the API's ringing list and the socket's events, in whatever order they come.</summary>
public sealed class LiveBoardStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_ringing_call_moves_from_now_to_just_finished_when_it_ends_and_keeps_its_names()
    {
        var board = new LiveBoardState();
        var id = Guid.NewGuid();
        board.Apply(Event(id, "call.ringing", "ringing", T0, device: "Main door", apartment: "101"));
        Assert.Equal("Main door", Assert.Single(board.Active).Device);

        board.Apply(Event(id, "call.answered", "answered", T0.AddSeconds(3)));
        Assert.Equal("answered", Assert.Single(board.Active).Status);

        board.Apply(Event(id, "call.ended", "ended", T0.AddSeconds(40)));
        Assert.Empty(board.Active);
        var finished = Assert.Single(board.Finished);
        Assert.Equal(("Main door", "101", "ended"), (finished.Device, finished.Apartment, finished.Status));
    }

    [Fact]
    public void An_event_delivered_before_the_api_list_arrives_is_not_overwritten_by_the_older_list()
    {
        var board = new LiveBoardState();
        var id = Guid.NewGuid();
        board.Apply(Event(id, "call.ended", "missed", T0.AddSeconds(30)));
        board.Load([new CallDto(id, Guid.Empty, Guid.Empty, Guid.Empty, "Main door", Guid.Empty, "101", "ringing", "door", T0, T0.AddSeconds(30), null, null, null, true)]);

        Assert.Empty(board.Active);
        Assert.Equal("missed", Assert.Single(board.Finished).Status);
    }

    [Fact]
    public void Only_the_most_recent_finished_calls_are_kept()
    {
        var board = new LiveBoardState();
        for (var i = 0; i < LiveBoardState.FinishedKept + 5; i++)
        {
            board.Apply(Event(Guid.NewGuid(), "call.ended", "missed", T0.AddMinutes(i)));
        }
        Assert.Equal(LiveBoardState.FinishedKept, board.Finished.Count);
        Assert.Equal(T0.AddMinutes(LiveBoardState.FinishedKept + 4), board.Finished[0].Since);
    }

    private static BoardCall Event(Guid id, string type, string status, DateTimeOffset at, string? device = null, string? apartment = null) =>
        new(id, Guid.Empty, Guid.Empty, type, status, at, IsTest: false, device, apartment);
}
