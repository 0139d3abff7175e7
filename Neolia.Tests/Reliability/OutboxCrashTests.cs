using System.Net.Http.Headers;
using Neolia.Contracts;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using Neolia.Tests.Administration;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Reliability;

/// <summary>
/// The one rule for events: a state change and its event are committed together, the relay publishes what is left, and
/// the Notifier acts on an event once. A CallApi killed between the commit and the publish loses nothing and
/// duplicates nothing at the phone.
/// </summary>
[Collection(FaultStackCollection.Name)]
public sealed class OutboxCrashTests(FaultStackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task An_answer_committed_by_a_CallApi_killed_before_it_published_reaches_the_phone_exactly_once()
    {
        if (!stack.OwnsServers) { output.WriteLine("skipped: the stack shares outside servers"); return; }
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        await using var socket = await stack.ConnectAsync(tenant.Resident.Tokens!.AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");
        var rung = await tenant.Admin.PostAsync($"/api/admin/devices/{tenant.DoorId}/test-call", new { apartment = tenant.ApartmentNumber });
        var callId = rung.GetProperty("callId").GetString()!;
        await socket.WaitForRingAsync(callId);

        // A second replica takes the answer. Redis serves reads (the token's revocation check) but holds every write,
        // so that replica's publish waits after its commit; then it dies.
        var doomed = await stack.StartFreshCallApiAsync("callapi-doomed");
        using var http = new HttpClient { BaseAddress = doomed.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Resident.Tokens!.AccessToken);
        // Serving the resident already (its start-up's Redis work done, the token accepted) before Redis holds writes.
        await Eventually.TrueAsync(async () =>
        {
            using var probe = await http.GetAsync($"/api/calls/{callId}");
            return probe.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(20), "the second replica serving the resident");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Stack.RedisConnectionString + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        await server.ExecuteAsync("CLIENT", "PAUSE", "20000", "WRITE");
        try
        {
            var answering = http.PostAsync($"/api/calls/{callId}/answer", null);
            await Eventually.TrueAsync(async () =>
            {
                await using var scope = stack.DataScope(out var db);
                return await db.Calls.AnyAsync(c => c.Id == Guid.Parse(callId) && c.Status == CallStatuses.Answered);
            }, TimeSpan.FromSeconds(10), "the answer committed");
            // Dead while Redis still holds its writes: whether or not its HTTP answer got out first, its publish could
            // not have reached Redis; what it had sent waits in Redis's buffer and may run when Redis resumes.
            doomed.Kill();
            try { (await answering).Dispose(); } catch (HttpRequestException) { } catch (TaskCanceledException) { }
        }
        finally
        {
            await server.ExecuteAsync("CLIENT", "UNPAUSE");
        }

        // The event was in the outbox with the answer: the surviving replica's relay sends it.
        await socket.WaitForUpdateAsync(callId, CallStatuses.Answered, TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(5)); // past the relay's grace and a few of its rounds: a second copy would be here
        Assert.Single(socket.UpdatesFor(callId));
        await using (var scope = stack.DataScope(out var db))
        {
            Assert.False(await db.PendingCallEvents.AnyAsync(p => p.CallId == Guid.Parse(callId)), "the outbox row is gone once sent");
        }
    }
}
