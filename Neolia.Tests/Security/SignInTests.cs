using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Security;

/// <summary>Sign-in throttling without lockout, sessions that really end, and what every answer tells the browser.</summary>
[Collection(StackCollection.Name)]
public sealed class SignInTests(StackFixture stack)
{
    /// <summary>Sign-in straight to CallApi as the gateway forwards it, from the client address <paramref name="client"/>.</summary>
    private async Task<HttpResponseMessage> LoginFromAsync(string client, string email, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Forwarded-For", client);
        return await stack.CallApi.SendAsync(request);
    }

    [Fact]
    public async Task Wrong_passwords_slow_down_that_client_only_and_never_lock_the_resident_out()
    {
        var tenant = await stack.Data.CreateTenantAsync("101");
        var resident = await stack.Data.AddResidentAsync(tenant, "101");
        const string stranger = "198.51.100.7";
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await LoginFromAsync(stranger, resident.Email, "Wrong-password-1");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        using (var throttled = await LoginFromAsync(stranger, resident.Email, resident.Password))
        {
            await CallDriver.AssertProblemAsync(throttled, HttpStatusCode.TooManyRequests);
            Assert.True(throttled.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, "429 says when to retry");
        }
        // Twenty more tries by the stranger change nothing for the resident's own phone.
        for (var i = 0; i < 20; i++) (await LoginFromAsync(stranger, resident.Email, "Wrong-password-1")).Dispose();
        using var phone = await LoginFromAsync("192.0.2.44", resident.Email, resident.Password);
        Assert.Equal(HttpStatusCode.OK, phone.StatusCode);
    }

    [Fact]
    public async Task Token_answers_are_never_stored_and_every_answer_carries_the_browser_protections()
    {
        var tenant = await stack.Data.CreateTenantAsync("101");
        var resident = await stack.Data.AddResidentAsync(tenant, "101");
        using var login = await stack.Gateway.PostAsJsonAsync("/api/auth/login", new { email = resident.Email, password = resident.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.True(login.Headers.CacheControl?.NoStore, "login answer: Cache-Control no-store");
        var tokens = await login.Content.ReadFromJsonAsync<TokenPair>();
        using var refresh = await stack.Gateway.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = tokens!.RefreshToken });
        Assert.True(refresh.Headers.CacheControl?.NoStore, "refresh answer: Cache-Control no-store");

        foreach (var path in new[] { "/api/calls", "/openapi/v1.json", "/api/nothing-here", "/ws" })
        {
            using var response = await stack.Gateway.GetAsync(path);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }

    [Fact]
    public async Task Sign_out_and_a_password_change_end_the_access_tokens_already_issued()
    {
        var tenant = await stack.Data.CreateTenantAsync("101");
        var resident = await stack.Data.AddResidentAsync(tenant, "101");

        var session = await stack.LoginAsync(resident.Email, resident.Password);
        using (var ok = await stack.AsResidentAsync(session.AccessToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var logout = await stack.Gateway.PostAsJsonAsync("/api/auth/logout", new { refreshToken = session.RefreshToken }))
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        using (var after = await stack.AsResidentAsync(session.AccessToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);

        var phone = await stack.LoginAsync(resident.Email, resident.Password);
        var tablet = await stack.LoginAsync(resident.Email, resident.Password);
        await using var socket = await stack.ConnectAsync(tablet.AccessToken);
        await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");
        var change = new HttpRequestMessage(HttpMethod.Post, "/api/me/password")
        {
            Content = JsonContent.Create(new { currentPassword = resident.Password, newPassword = "Changed-password-2" }),
        };
        change.Headers.Authorization = new AuthenticationHeaderValue("Bearer", phone.AccessToken);
        using var changed = await stack.Gateway.SendAsync(change);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.True(changed.Headers.CacheControl?.NoStore);
        var fresh = await changed.Content.ReadFromJsonAsync<TokenPair>();

        using (var old = await stack.AsResidentAsync(tablet.AccessToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using (var mine = await stack.AsResidentAsync(phone.AccessToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.Unauthorized, mine.StatusCode);
        using (var current = await stack.AsResidentAsync(fresh!.AccessToken, HttpMethod.Get, "/api/calls")) Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        await socket.Closed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
    }

    [Fact]
    public async Task A_revoked_socket_gets_its_1008_close_frame_every_time()
    {
        const int Trials = 10;
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var tenant = await AdminWorld.CreateTenantAsync(stack, platform);
        var closes = new List<WebSocketCloseStatus?>();
        for (var i = 0; i < Trials; i++)
        {
            var token = (await stack.LoginAsync(tenant.ResidentEmail, AdminWorld.ResidentPassword)).AccessToken;
            await using var socket = await stack.ConnectAsync(token);
            await socket.WaitForAsync(m => m.GetProperty("type").GetString() == "hello");
            await tenant.Admin.PostAsync($"/api/admin/residents/{tenant.ResidentId}/deactivate");
            await socket.Closed.WaitAsync(TimeSpan.FromSeconds(10));
            closes.Add(socket.CloseStatus);
            await tenant.Admin.PostAsync($"/api/admin/residents/{tenant.ResidentId}/reactivate");
        }
        Assert.All(closes, status => Assert.Equal(WebSocketCloseStatus.PolicyViolation, status));
    }
}
