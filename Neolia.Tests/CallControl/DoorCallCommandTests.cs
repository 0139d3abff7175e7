using Neolia.CallApi.CallControl;
using Neolia.CallApi.Calls;
using Neolia.Contracts;

namespace Neolia.Tests.CallControl;

/// <summary>What one replica hands another over PostgreSQL's NOTIFY reads back as it was sent, and nothing else is taken for a command.</summary>
public sealed class DoorCallCommandTests
{
    [Fact]
    public void A_command_reads_back_as_it_was_sent()
    {
        var callId = Guid.NewGuid();
        Assert.Equal(DoorCallCommand.AppAnswered(callId), DoorCallCommand.Parse(DoorCallCommand.AppAnswered(callId).Payload));
        Assert.Equal(DoorCallCommand.Closed(callId, CallStatuses.Declined), DoorCallCommand.Parse(DoorCallCommand.Closed(callId, CallStatuses.Declined).Payload));
        // NOTIFY payloads are at most 8000 bytes: a command is far below.
        Assert.True(DoorCallCommand.Closed(callId, CallStatuses.Missed).Payload.Length < 100);
    }

    [Theory]
    [InlineData("")]
    [InlineData("answered")]
    [InlineData("answered:not-a-guid")]
    [InlineData("hangup:0123456789abcdef0123456789abcdef")]
    public void Anything_else_is_no_command(string payload) => Assert.Null(DoorCallCommand.Parse(payload));
}
