using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.Contracts;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Asterisk;

/// <summary>
/// The requests the dialplan's CURL() calls build (<see cref="DialplanWebhooks"/>), sent byte for byte to a running
/// CallApi: if extensions.conf and CallApi stop agreeing, these fail.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class DialplanEndToEndTests(StackFixture stack)
{
    private async Task<(IReadOnlyList<WebhookRequest> Requests, string UniqueId, string Sip)> DoorRingsAsync()
    {
        var tenant = await stack.Data.CreateTenantAsync("101");
        var sip = $"sip-{Guid.NewGuid():N}"[..20];
        await stack.Data.AddResidentAsync(tenant, "101", sip);
        var uniqueId = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Random.Shared.Next(100_000)}";

        var channel = new Dictionary<string, string>(DialplanContractTests.SampleChannel)
        {
            ["UNIQUEID"] = uniqueId,
            ["NEOLIA_TENANT"] = tenant.Slug,
            ["CHANNEL(endpoint)"] = tenant.DoorSipUsername,
            ["EXTEN"] = "101",
        };
        var environment = new Dictionary<string, string>
        {
            ["NEOLIA_CALLAPI_URL"] = stack.Stack.CallApi.Url.GetLeftPart(UriPartial.Authority),
            ["NEOLIA_WEBHOOK_SECRET"] = stack.Secrets.WebhookSecret,
        };
        return (DialplanWebhooks.Build(Dialplan.Load(), new DialplanExpressions(channel, environment)), uniqueId, sip);
    }

    [Fact]
    public async Task The_dialplans_ring_request_creates_a_ringing_call_and_answers_what_to_dial()
    {
        var (requests, uniqueId, sip) = await DoorRingsAsync();
        var ring = DialplanContractTests.RingRequest(requests);

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(ring.TotalTimeoutSeconds ?? 3) };
        using var response = await client.SendAsync(ring.ToHttpRequestMessage());
        await response.EnsureSuccessWithBodyAsync();

        // What the dialplan then reads with JSON_DECODE.
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dial", answer.GetProperty("action").GetString());
        Assert.Equal($"PJSIP/{sip}", answer.GetProperty("dial").GetString());
        Assert.True(int.Parse(answer.GetProperty("timeout").GetString()!) > 0);
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("call_id").GetString()));
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("room").GetString()));

        await using var scope = stack.DataScope(out var db);
        var call = await db.Calls.SingleAsync(c => c.AsteriskCallId == uniqueId);
        Assert.Equal(CallStatuses.Ringing, call.Status);
        Assert.Equal(answer.GetProperty("call_id").GetString(), call.Id.ToString());
    }

    [Fact]
    public async Task The_dialplans_end_request_ends_the_call_with_the_dial_status()
    {
        var (requests, uniqueId, _) = await DoorRingsAsync();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        using (var ring = await client.SendAsync(DialplanContractTests.RingRequest(requests).ToHttpRequestMessage()))
        {
            await ring.EnsureSuccessWithBodyAsync();
        }

        // The sample channel ends unanswered (DIALSTATUS=NOANSWER after 30 s): the call is missed.
        using var end = await client.SendAsync(DialplanContractTests.EndRequest(requests).ToHttpRequestMessage());
        await end.EnsureSuccessWithBodyAsync();

        await using var scope = stack.DataScope(out var db);
        var call = await db.Calls.SingleAsync(c => c.AsteriskCallId == uniqueId);
        Assert.Equal(CallStatuses.Missed, call.Status);
        Assert.Equal("NOANSWER", call.DialStatus);
    }
}
