using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Neolia.AppHost.Tests;

/// <summary>
/// A second start on the same state directory works as well as the first, and keeps its data (a second
/// <c>scripts/run.sh</c>); with the local read replica both times, made again from the primary at the second start.
/// </summary>
public sealed class SecondStartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_AppHost_starts_again_on_its_own_state_and_keeps_the_calls()
    {
        var first = new StackFixture { KeepState = true, WithPostgresReplica = true };
        string callId;
        try
        {
            await first.InitializeAsync();
            using var gateway = first.App.CreateHttpClient("gateway", "http");
            var manager = await SignInAsync(gateway, "manager@demo.neolia.test", first.DemoPassword);
            var door = (await GetAsync(gateway, manager, "/api/admin/devices?pageSize=100")).GetProperty("items").EnumerateArray()
                .Single(d => d.GetProperty("sipUsername").GetString() == "demo-door-1").GetProperty("id").GetString();
            using var ring = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/devices/{door}/test-call") { Content = JsonContent.Create(new { apartment = "101" }) };
            ring.Headers.Authorization = new AuthenticationHeaderValue("Bearer", manager);
            using var rung = await gateway.SendAsync(ring);
            Assert.True(rung.IsSuccessStatusCode, $"test call answered {(int)rung.StatusCode}: {await rung.Content.ReadAsStringAsync()}");
            callId = (await rung.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetString()!;
        }
        finally
        {
            await first.DisposeAsync();
        }

        var second = StackFixture.Again(first);
        try
        {
            // Every resource healthy again (InitializeAsync waits for it), PostgreSQL on the data directory initdb made.
            await second.InitializeAsync();
            using var gateway = second.App.CreateHttpClient("gateway", "http");
            var alice = await SignInAsync(gateway, "alice@demo.neolia.test", second.DemoPassword);
            var call = await GetAsync(gateway, alice, $"/api/calls/{callId}");
            Assert.Equal(callId, call.GetProperty("id").GetString());

            // The read replica Asterisk falls back to: in recovery, on the primary's port at 127.0.0.2, with the call.
            var primary = new Npgsql.NpgsqlConnectionStringBuilder(await second.App.GetConnectionStringAsync("neolia"));
            var replica = new Npgsql.NpgsqlConnectionStringBuilder(primary.ConnectionString) { Host = "127.0.0.2", Pooling = false };
            await using var connection = new Npgsql.NpgsqlConnection(replica.ConnectionString);
            await connection.OpenAsync();
            await using (var recovery = new Npgsql.NpgsqlCommand("SELECT pg_is_in_recovery()", connection))
                Assert.True((bool)(await recovery.ExecuteScalarAsync())!);
            await using (var calls = new Npgsql.NpgsqlCommand("""SELECT count(*) FROM "Calls" WHERE "Id" = @id""", connection) { Parameters = { new("id", Guid.Parse(callId)) } })
                Assert.Equal(1L, await calls.ExecuteScalarAsync());
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    private static async Task<string> SignInAsync(HttpClient gateway, string email, string password)
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var login = await gateway.PostAsJsonAsync("/api/auth/login", new { email, password }, timeout.Token);
        Assert.True(login.IsSuccessStatusCode, $"login of {email} answered {(int)login.StatusCode}: {await login.Content.ReadAsStringAsync()}");
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<JsonElement> GetAsync(HttpClient gateway, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await gateway.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
