using Neolia.CallApi.Calls;
using Neolia.Contracts;
using Neolia.DevStack;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>A stack of its own (the test kills its CallApi) whose calls ring long enough for a CallApi to start again.</summary>
public sealed class AriRestartStackFixture : AriStackFixture
{
    /// <summary>Its tests stop, kill or restart parts of the stack: DevStack's processes, not the AppHost.</summary>
    protected override bool RunsOnAppHost => false;

    public override int RingTimeout => 120;
}

[CollectionDefinition(Name)]
public sealed class AriRestartStackCollection : ICollectionFixture<AriRestartStackFixture>
{
    public const string Name = "stack with ARI call control whose CallApi is restarted";
}

/// <summary>
/// CallApi dies during a call and a new one, started under the same replica id, takes the call over from the
/// database and Asterisk's channels (the ones in its application).
/// </summary>
[Collection(AriRestartStackCollection.Name)]
public sealed class CallApiRestartTests(AriRestartStackFixture stack)
{
    [Fact]
    public async Task A_CallApi_restarted_during_the_ring_takes_the_call_over()
    {
        var asterisk = stack.Asterisk;
        var scenario = await DoorCallScenario.CreateAsync(stack, asterisk);
        var (_, sip) = await scenario.AddResidentAsync(sip: true);
        var door = await scenario.RingAsync();
        var call = await scenario.CallOfAsync(door);
        await Eventually.TrueAsync(() => asterisk.Originates(door).Count == 1, what: "the phone dialled");
        var leg = asterisk.Originates(door)[0].Path["/ari/channels/".Length..];
        // The call is in this replica's application; a replica started again under the same id (a pod's name) takes it back.
        var application = Assert.Single(asterisk.Applications);

        stack.Processes.CallApi.Kill();
        await stack.Processes.CallApi.Exited();
        await Eventually.TrueAsync(() => !asterisk.Connected.IsCompleted, what: "the event stream closed with the process");

        var settings = stack.AnotherCallApiSettings();
        settings["CallControl__ReplicaId"] = application[$"{FakeAsterisk.App}-".Length..];
        await using var restarted = await ServiceProcess.StartAsync("callapi-restarted", "Neolia.CallApi", FreePort.Next(), settings, stack.Stack.LogDirectory);
        await asterisk.Connected.WaitAsync(TimeSpan.FromSeconds(30));

        // The new CallApi knows the leg from Asterisk's channel list: its answer is this call's.
        await asterisk.AnswerLegAsync(leg);
        var answered = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Answered);
        Assert.Equal(call.Id, answered.Id);
        await Eventually.TrueAsync(() => asterisk.Bridges.TryGetValue($"neolia-{call.Id:N}", out var m) && m.Contains(door) && m.Contains(leg), what: "bridged by the new CallApi");
        Assert.Equal(sip, asterisk.Originates(door)[0].Query["endpoint"]["PJSIP/".Length..]);

        await asterisk.HangUpFromOutsideAsync(door);
        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
        Assert.Equal(answered.AnsweredAt, ended.AnsweredAt);
        Assert.NotNull(ended.EndedAt);
        Assert.Equal(CallEndReasons.DoorHungUp, ended.EndReason);
    }
}
