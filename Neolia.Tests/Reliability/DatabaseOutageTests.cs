using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Reliability;

/// <summary>
/// PostgreSQL stopped under a listening resident: the webhook answers 503 at once, so the dialplan's SIP fallback
/// rings without waiting out its 3 s timeout; the resident's socket stays up; calls work again once PostgreSQL is back.
/// </summary>
[Collection(FaultStackCollection.Name)]
public sealed class DatabaseOutageTests(FaultStackFixture stack, ITestOutputHelper output)
{
    private const int RingsWhileDown = 8;

    [Fact]
    public async Task With_PostgreSQL_down_the_webhook_answers_503_at_once_and_rings_again_when_it_is_back()
    {
        if (!stack.OwnsServers) { output.WriteLine("skipped: the stack shares outside servers"); return; }
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        await using var listening = await stack.ConnectAsync(tenant.Resident.Tokens!.AccessToken);
        await listening.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");
        using (var warm = (await stack.TimedRingAsync(tenant)).Response) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);

        await stack.StopPostgresAsync();
        var times = new List<TimeSpan>();
        try
        {
            for (var i = 0; i < RingsWhileDown; i++)
            {
                var (response, took) = await stack.TimedRingAsync(tenant);
                using (response)
                {
                    await CallDriver.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
                    Assert.True(response.Headers.RetryAfter is not null, "a 503 says when to retry");
                }
                times.Add(took);
            }
            Assert.Equal(WebSocketState.Open, listening.State);
        }
        finally
        {
            await stack.StartPostgresAsync();
        }

        var back = Stopwatch.GetTimestamp();
        RungCall? rung = null;
        while (rung is null)
        {
            var (response, _) = await stack.TimedRingAsync(tenant);
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.OK) rung = new RungCall((await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("call_id").GetString()!, "", "");
                else Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            }
            Assert.True(Stopwatch.GetElapsedTime(back) < TimeSpan.FromSeconds(30), "webhooks did not recover after PostgreSQL came back");
            if (rung is null) await Task.Delay(200);
        }
        var recovered = Stopwatch.GetElapsedTime(back);
        await listening.WaitForRingAsync(rung.Id);

        var slowest = times.Max();
        Figures.Print(output, $"PostgreSQL down: {RingsWhileDown} webhooks answered 503 in {times.Min().TotalMilliseconds:F0}-{slowest.TotalMilliseconds:F0} ms (median {times.Order().ElementAt(times.Count / 2).TotalMilliseconds:F0} ms); rings again {recovered.TotalMilliseconds:F0} ms after PostgreSQL was back");
        // The dialplan waits 3 s for the webhook: a failure must come well before, so the SIP fallback rings at once.
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"the slowest 503 took {slowest.TotalMilliseconds:F0} ms");
    }
}
