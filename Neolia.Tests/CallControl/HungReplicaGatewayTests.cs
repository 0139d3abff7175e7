using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;
using Neolia.Tests.Reliability;
using Xunit.Abstractions;

namespace Neolia.Tests.CallControl;

/// <summary>
/// A hung CallApi replica behind the gateway: the app's requests must not wait on it. The gateway probes each
/// replica's <c>/alive</c> (every 2 s, 1 s timeout) and stops sending to one that does not answer; a call command
/// (answer, decline, open-door) that still reaches a hung replica is given up after 8 s with a 504 problem (longer than CallApi's own 5 s bound on an ARI request, so a
/// slow Asterisk is CallApi's answer to give, not the gateway's), and the
/// app's retry of an answer gets the room again.
/// </summary>
[Collection(ReplicaStackCollection.Name)]
public sealed class HungReplicaGatewayTests(ReplicaStackFixture stack, ITestOutputHelper output)
{
    private FakeAsterisk Asterisk => stack.Asterisk;

    [Fact]
    public async Task With_a_replica_hung_the_gateway_routes_around_it_and_an_answer_retried_by_the_app_gets_the_room_again()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, Asterisk, "44");
        var (resident, _) = await scenario.AddResidentAsync();
        var token = await stack.SignInAsync(resident);
        var replicas = stack.Processes.CallApis;

        // Every replica hung: a call command is given up by the gateway after its 8 s, as a problem, instead of the
        // app waiting on the hung process. (A call that does not exist: the hung replicas answer it 404 once resumed.)
        foreach (var replica in replicas) ProcessSignals.Stop(replica.ProcessId);
        try
        {
            var clock = Stopwatch.StartNew();
            using var nowhere = await stack.ActAsync(token, Guid.NewGuid().ToString(), "open-door");
            clock.Stop();
            Figures.Print(output, $"every replica hung: a call command answered {(int)nowhere.StatusCode} after {clock.ElapsedMilliseconds} ms");
            Assert.Equal(HttpStatusCode.GatewayTimeout, nowhere.StatusCode);
            Assert.Equal("application/problem+json", nowhere.Content.Headers.ContentType?.MediaType);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(7.5), TimeSpan.FromSeconds(13));
        }
        finally
        {
            ProcessSignals.Continue(replicas[1].ProcessId);
        }

        // One replica hung: once its probes have failed, the gateway sends nothing to it.
        string door;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(6)); // three probe intervals (the one resumed is healthy again at its next probe)
            var times = new List<long>();
            for (var i = 0; i < 8; i++)
            {
                var clock = Stopwatch.StartNew();
                using var me = await AsResidentQuicklyAsync(token, HttpMethod.Get, "/api/me");
                times.Add(clock.ElapsedMilliseconds);
                Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            }
            Figures.Print(output, $"one replica hung: 8 of 8 API requests answered by the other, slowest {times.Max()} ms");

            door = await scenario.RingAsync(); // taken by the replica that answers (the rings here last 5 s)
            var call = await scenario.CallOfAsync(door);

            using var answer = await AsResidentQuicklyAsync(token, HttpMethod.Post, $"/api/calls/{call.Id}/answer");
            await answer.EnsureSuccessWithBodyAsync();
            var room = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("room").GetString();
            Assert.Equal(CallStatuses.Answered, (await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Answered)).Status);

            // The app lost that response and answers again: the room again, not "someone else answered".
            using var again = await AsResidentQuicklyAsync(token, HttpMethod.Post, $"/api/calls/{call.Id}/answer");
            await again.EnsureSuccessWithBodyAsync();
            var body = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(room, body.GetProperty("room").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("token").GetString()));
        }
        finally
        {
            ProcessSignals.Continue(replicas[0].ProcessId);
        }

        // Another resident still gets the conflict.
        var (other, _) = await scenario.AddResidentAsync();
        var answered = await scenario.CallOfAsync(door);
        using (var late = await stack.ActAsync(await stack.SignInAsync(other), answered.Id.ToString(), "answer"))
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        await Asterisk.HangUpFromOutsideAsync(door);
        await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
    }

    /// <summary>As the app, with a 3 s patience: a request that waits on a hung replica fails the test instead of passing late.</summary>
    private async Task<HttpResponseMessage> AsResidentQuicklyAsync(string token, HttpMethod method, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        return await stack.AsResidentAsync(token, method, path, timeout.Token);
    }
}
