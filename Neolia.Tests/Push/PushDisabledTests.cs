using System.Text.RegularExpressions;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Push;

/// <summary>The shared stack's Notifier has no Push settings at all: push is off, everything else works.</summary>
[Collection(StackCollection.Name)]
public sealed class PushDisabledTests(StackFixture stack)
{
    [Fact]
    public async Task Without_push_settings_a_ring_still_reaches_the_app_over_websocket_and_the_notifier_says_once_that_push_is_off()
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        using var app = await PushApp.SignedInAsync(stack, resident);
        // The resident has a registered phone: the event carries a push target the Notifier cannot use.
        await PushApp.RegisterAsync(app, PushPlatforms.Fcm, $"android-{Guid.NewGuid():N}", "pixel");
        var token = (await stack.LoginAsync(resident.Email, resident.Password)).AccessToken;
        await using var socket = await stack.ConnectAsync(token);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello", what: "hello");

        var callId = await PushApp.RingAsync(stack, tenant, "1");

        var ring = await socket.WaitForRingAsync(callId);
        Assert.Equal("1", ring.GetProperty("call").GetProperty("apartment").GetString());
        var log = await PushApp.LogOfAsync(stack, "notifier");
        Assert.Single(Regex.Matches(log, "Push notifications are disabled"));
        Assert.DoesNotContain("Push notifications enabled", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Push dispatcher cannot read", log, StringComparison.Ordinal);
    }
}
