using Neolia.Contracts;
using Neolia.Notifier.Push;
using StackExchange.Redis;

namespace Neolia.Tests.Push;

/// <summary>
/// Two replicas, and a claim idle time long enough (5 s) that the test finds and kills the replica holding an event
/// well before the other may claim it — on a slow machine the test says so rather than passing by luck.
/// </summary>
public sealed class PushFailoverFixture : PushStackFixture
{
    /// <summary>Its tests stop, kill or restart parts of the stack: DevStack's processes, not the AppHost.</summary>
    protected override bool RunsOnAppHost => false;

    protected override string ClaimIdle => "00:00:05";

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["notifier"] = new Dictionary<string, string?>(base.ExtraSettings["notifier"]) { ["Push__ForgetConsumersAfter"] = "00:00:05" },
        };
}

public sealed class PushFailoverTests(PushFailoverFixture stack) : IClassFixture<PushFailoverFixture>
{
    /// <summary>
    /// A replica reads a ring, gets its FCM pushes accepted, and is killed (SIGKILL) while Apple holds its VoIP push,
    /// before it acknowledges the event. What is asserted, and why:
    /// <list type="bullet">
    /// <item>nothing is unsent: every device receives the ring, and the event ends acknowledged (no pending entry);</item>
    /// <item>the VoIP device receives it exactly once: the dead replica's request was never accepted (the stand-in drops
    /// a held request whose connection died), so the surviving replica's send after XAUTOCLAIM is the only one;</item>
    /// <item>each FCM device receives it at most twice: delivery is at-least-once per event — a replica that dies after
    /// a push was accepted but before XACK makes the claiming replica send the event's pushes again. Each death adds at
    /// most one copy; the copies are identical (same call id and sent_at), and the app deduplicates by call id;</item>
    /// <item>before the kill every device had at most one copy: while no replica dies, each push is sent once.</item>
    /// </list>
    /// </summary>
    [Fact]
    public async Task A_replica_killed_mid_way_leaves_nothing_unsent()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var flatmate = await stack.Data.AddResidentAsync(tenant, "1");
        using var residentApp = await PushApp.SignedInAsync(stack, resident);
        using var flatmateApp = await PushApp.SignedInAsync(stack, flatmate);
        string[] fcmTokens = [$"android-{Guid.NewGuid():N}", $"android-{Guid.NewGuid():N}", $"android-{Guid.NewGuid():N}"];
        var voipToken = stack.Apple.AddVoipDevice();
        await PushApp.RegisterAsync(residentApp, PushPlatforms.Fcm, fcmTokens[0], "pixel");
        await PushApp.RegisterAsync(residentApp, PushPlatforms.Fcm, fcmTokens[1], "tablet");
        await PushApp.RegisterAsync(flatmateApp, PushPlatforms.Fcm, fcmTokens[2], "phone");
        await PushApp.RegisterAsync(flatmateApp, PushPlatforms.ApnsVoip, voipToken, "iphone");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Stack.RedisConnectionString);
        var db = redis.GetDatabase();

        stack.Apple.Hold.Engage();
        var callId = await PushApp.RingAsync(stack, tenant, "1");
        int FcmCopies(string token) => stack.Google.Delivered.Count(m => m.Token == token && m.Data["call_id"] == callId);
        ApnsReceived[] Voip() => stack.Apple.Delivered.Where(m => m.Token == voipToken && (string?)m.Payload["call_id"] == callId).ToArray();

        // One replica has read the event, its FCM pushes are accepted, its VoIP push is held: it cannot have acknowledged.
        await PushApp.Eventually(() => fcmTokens.All(t => FcmCopies(t) >= 1) && stack.Apple.Hold.Held.Contains(voipToken),
            "the FCM pushes to be accepted and the VoIP push to be held");
        var pending = await db.StreamPendingMessagesAsync(CallEventStream.Key, PushDispatcher.Group, 10, RedisValue.Null);
        var entry = Assert.Single(pending);
        Assert.Equal(1, entry.DeliveryCount); // read once, not claimed yet: the claim below happens after the kill
        var victim = stack.Processes.Notifiers.Single(n => ((string)entry.ConsumerName!).EndsWith($"-{n.ProcessId}", StringComparison.Ordinal));
        var survivor = stack.Processes.Notifiers.Single(n => n != victim);
        Assert.All(fcmTokens, t => Assert.Equal(1, FcmCopies(t)));

        victim.Kill();
        await victim.Exited().WaitAsync(TimeSpan.FromSeconds(10));
        // The held request dies with its connection: Apple never accepted it.
        await PushApp.Eventually(() => stack.Apple.Hold.Abandoned.Contains(voipToken), "the killed replica's held VoIP request to be dropped");
        Assert.Empty(Voip());
        Assert.Equal([voipToken], stack.Apple.Hold.Held.ToArray()); // the survivor had not claimed the event before the kill
        stack.Apple.Hold.Release();

        await PushApp.Eventually(() => Voip().Length >= 1, "the surviving replica to claim the event and send the VoIP push", TimeSpan.FromSeconds(20));
        await PushApp.Eventually(async () => (await db.StreamPendingAsync(CallEventStream.Key, PushDispatcher.Group)).PendingMessageCount == 0,
            "the event to be acknowledged");
        await Task.Delay(TimeSpan.FromSeconds(1)); // a late extra copy would show up now

        var voip = Assert.Single(Voip());
        Assert.Equal(("voip", FakeApns.BundleId + ".voip"), (voip.PushType, voip.Topic));
        Assert.All(fcmTokens, t => Assert.InRange(FcmCopies(t), 1, 2));
        Assert.All(fcmTokens, t => Assert.Single(stack.Google.Delivered.Where(m => m.Token == t && m.Data["call_id"] == callId)
            .Select(m => (m.Data["type"], m.Data["sent_at"], m.Data["room"])).Distinct()));
        Assert.Equal(0, await db.StreamLengthAsync(PushDeadLetterStream.Key));
        Assert.Contains("Claimed 1 call event(s) another replica left unsent",
            await PushApp.LogOfAsync(stack, survivor.Name));
        Assert.Empty(stack.Google.Violations);
        Assert.Empty(stack.Apple.Violations);

        // The dead replica's consumer (nothing pending any more) is removed from the group; the survivor's stays.
        var victimConsumer = (string)entry.ConsumerName!;
        await PushApp.Eventually(async () => (await db.StreamConsumerInfoAsync(CallEventStream.Key, PushDispatcher.Group))
            .All(c => c.Name != victimConsumer), "the dead replica's consumer to be removed", TimeSpan.FromSeconds(20));
        var consumers = await db.StreamConsumerInfoAsync(CallEventStream.Key, PushDispatcher.Group);
        Assert.Contains(consumers, c => ((string)c.Name!).EndsWith($"-{survivor.ProcessId}", StringComparison.Ordinal));
    }
}
