using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Neolia.Contracts;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Reliability;

/// <summary>
/// With Redis down the phones still work: CallApi reads token revocations from PostgreSQL and the Notifier from its
/// own copy, so a resident connects and answers a ringing call, while a token revoked before stays refused; and a
/// phone that connects as Redis comes back (empty) is replayed every call still ringing, once CallApi copied them back.
/// </summary>
[Collection(FaultStackCollection.Name)]
public sealed class RedisDownPhonesTests(FaultStackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task With_Redis_down_a_resident_connects_and_answers_a_ringing_call_and_a_revoked_token_stays_refused()
    {
        if (!stack.OwnsServers) { output.WriteLine("skipped: the stack shares outside servers"); return; }
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        var token = tenant.Resident.Tokens!.AccessToken;
        var gone = await tenant.Admin.PostAsync("/api/admin/residents", new
        {
            email = $"gone@{tenant.Slug}.test", displayName = "Gone", password = AdminWorld.ResidentPassword, apartmentIds = new[] { tenant.ApartmentId },
        });
        var goneToken = (await stack.LoginAsync($"gone@{tenant.Slug}.test", AdminWorld.ResidentPassword)).AccessToken;
        await tenant.Admin.PostAsync($"/api/admin/residents/{gone.Id()}/deactivate");
        await using var listening = await stack.ConnectAsync(token);
        var call = await stack.RingCallAsync(tenant);
        await listening.WaitForRingAsync(call.Id);

        await stack.Processes.Redis!.StopAsync();
        try
        {
            var answeredIn = Stopwatch.GetTimestamp();
            using (var me = await stack.AsResidentAsync(token, HttpMethod.Get, "/api/me")) Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            await using var fresh = await stack.ConnectAsync(token);
            await fresh.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");
            using (var answer = await stack.ActAsync(token, call.Id, "answer"))
            {
                Assert.True(answer.IsSuccessStatusCode, $"answer: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
            }
            var took = Stopwatch.GetElapsedTime(answeredIn);
            Assert.Equal(CallStatuses.Answered, await stack.StatusOfAsync(token, call.Id));

            // Revoked before the outage: still refused by CallApi (PostgreSQL) and by the Notifier (its copy).
            using (var refused = await stack.AsResidentAsync(goneToken, HttpMethod.Get, "/api/me")) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using (var refusedAnswer = await stack.ActAsync(goneToken, call.Id, "answer")) Assert.Equal(HttpStatusCode.Unauthorized, refusedAnswer.StatusCode);
            await Assert.ThrowsAnyAsync<WebSocketException>(() => stack.ConnectAsync(goneToken));
            Assert.Equal(WebSocketState.Open, listening.State);
            Figures.Print(output, $"Redis down: /api/me 200, a fresh socket accepted, the app's answer 2xx, all in {took.TotalMilliseconds:F0} ms; a token revoked before refused on /api/me, answer and /ws");
        }
        finally
        {
            await stack.Processes.Redis!.StartAgainAsync();
        }
        // The answer was kept in the outbox: the phones see it once Redis is back.
        await listening.WaitForUpdateAsync(call.Id, CallStatuses.Answered, TimeSpan.FromSeconds(20));
        await stack.VisitorHangsUpAsync(call);
    }

    [Fact]
    public async Task A_phone_that_connects_as_soon_as_Redis_is_back_empty_is_replayed_every_call_still_ringing()
    {
        if (!stack.OwnsServers) { output.WriteLine("skipped: the stack shares outside servers"); return; }
        const int ringing = 5;
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        var token = tenant.Resident.Tokens!.AccessToken;
        var calls = new List<RungCall>();
        for (var i = 0; i < ringing - 2; i++) calls.Add(await stack.RingCallAsync(tenant));

        // Two more ring while Redis is down (recorded in PostgreSQL, their rings held in the outbox).
        await stack.Processes.Redis!.StopAsync();
        try
        {
            for (var i = 0; i < 2; i++) calls.Add(await stack.RingCallAsync(tenant));
        }
        finally
        {
            await stack.Processes.Redis!.StartAgainAsync();
        }
        // At once, before CallApi has refilled Redis: accepted (the Notifier's copy), replayed when the calls are back.
        var back = Stopwatch.GetTimestamp();
        await using var fresh = await stack.ConnectAsync(token);
        var connectedAfter = Stopwatch.GetElapsedTime(back);
        foreach (var call in calls) await fresh.WaitForRingAsync(call.Id, TimeSpan.FromSeconds(20));
        var replayedAfter = Stopwatch.GetElapsedTime(back);
        Assert.All(calls, c => Assert.Single(fresh.RingsFor(c.Id)));

        Figures.Print(output, $"Redis restarted empty: a socket connected {connectedAfter.TotalMilliseconds:F0} ms after Redis answered got {calls.Count} of {calls.Count} ringing calls within {replayedAfter.TotalMilliseconds:F0} ms");
        foreach (var call in calls) await stack.VisitorHangsUpAsync(call);
    }
}
