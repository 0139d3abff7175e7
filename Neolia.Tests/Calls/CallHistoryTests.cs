using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Calls;

/// <summary>GET /api/calls and /api/calls/{id}: newest first, cursor paging, status filter, and only the resident's apartments.</summary>
[Collection(StackCollection.Name)]
public sealed class CallHistoryTests(StackFixture stack)
{
    private async Task<JsonElement> ListAsync(string token, string query)
    {
        using var response = await stack.AsResidentAsync(token, HttpMethod.Get, $"/api/calls{query}");
        await response.EnsureSuccessWithBodyAsync();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task History_pages_newest_first_with_a_cursor_and_filters_by_status()
    {
        var tenant = await stack.Data.CreateTenantAsync("1", "2");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var neighbour = await stack.Data.AddResidentAsync(tenant, "2");
        var token = await stack.SignInAsync(resident);
        var calls = new List<RungCall>();
        for (var i = 0; i < 5; i++) calls.Add(await stack.RingCallAsync(tenant, "1"));
        await stack.RingCallAsync(tenant, "2");
        // Two visitors give up while it rings: their doors hang up.
        foreach (var gaveUp in new[] { calls[1], calls[3] })
        {
            await stack.VisitorHangsUpAsync(gaveUp);
            await stack.CallOfAsync(gaveUp.DoorChannel, c => c.Status == "cancelled");
        }
        var newestFirst = calls.Select(c => c.Id).Reverse().ToList();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ListAsync(token, cursor is null ? "?limit=2" : $"?limit=2&cursor={Uri.EscapeDataString(cursor)}");
            seen.AddRange(Ids(page));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
            pages++;
        } while (cursor is not null && pages < 10);

        Assert.Equal(newestFirst, seen);
        Assert.Equal(3, pages);

        var cancelled = await ListAsync(token, "?status=cancelled");
        Assert.Equal([calls[3].Id, calls[1].Id], Ids(cancelled));
        Assert.All(cancelled.GetProperty("items").EnumerateArray(), i =>
        {
            Assert.Equal("cancelled", i.GetProperty("status").GetString());
            Assert.Equal("1", i.GetProperty("apartment").GetString());
            Assert.Equal("Door", i.GetProperty("device").GetString());
        });
        Assert.Equal(3, Ids(await ListAsync(token, "?status=ringing")).Count);

        var neighbourCalls = Ids(await ListAsync(await stack.SignInAsync(neighbour), ""));
        Assert.Single(neighbourCalls);
        Assert.DoesNotContain(neighbourCalls, calls.Select(c => c.Id).Contains);
    }

    [Theory]
    [InlineData("?status=bogus", "status")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    public async Task A_bad_history_query_is_a_validation_problem(string query, string field)
    {
        var tenant = await stack.Data.CreateTenantAsync("1");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");

        using var response = await stack.AsResidentAsync(await stack.SignInAsync(resident), HttpMethod.Get, $"/api/calls{query}");

        await CallDriver.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Another_apartment_or_tenant_gets_404_for_a_call_and_cannot_act_on_it()
    {
        var tenant = await stack.Data.CreateTenantAsync("1", "2");
        var resident = await stack.Data.AddResidentAsync(tenant, "1");
        var neighbour = await stack.Data.AddResidentAsync(tenant, "2");
        var otherTenant = await stack.Data.CreateTenantAsync("1");
        var stranger = await stack.Data.AddResidentAsync(otherTenant, "1");
        var call = await stack.RingCallAsync(tenant, "1");

        foreach (var outsider in new[] { neighbour, stranger })
        {
            var token = await stack.SignInAsync(outsider);
            using (var get = await stack.AsResidentAsync(token, HttpMethod.Get, $"/api/calls/{call.Id}"))
            {
                await CallDriver.AssertProblemAsync(get, HttpStatusCode.NotFound);
            }
            foreach (var action in new[] { "answer", "decline", "open-door" })
            {
                using var response = await stack.ActAsync(token, call.Id, action);
                await CallDriver.AssertProblemAsync(response, HttpStatusCode.NotFound);
            }
            Assert.DoesNotContain(call.Id, Ids(await ListAsync(token, "")));
        }

        var owner = await stack.SignInAsync(resident);
        Assert.Equal("ringing", await stack.StatusOfAsync(owner, call.Id));
        using var unknown = await stack.AsResidentAsync(owner, HttpMethod.Get, $"/api/calls/{Guid.NewGuid()}");
        await CallDriver.AssertProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_calls_API_needs_a_signed_in_user()
    {
        using var response = await stack.Gateway.GetAsync("/api/calls");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
