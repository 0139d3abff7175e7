using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Neolia.CallApi.CallControl;
using Neolia.Tests.Administration;
using Neolia.Tests.CallControl;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.DoorOpenings;

/// <summary>
/// Opening a door from the app with no call, over SIP, against <see cref="FakeAsterisk"/>: CallApi calls the door's
/// endpoint into its own Stasis application, the door answers, the code goes as DTMF, the call is hung up; and every
/// attempt lands in the door log, whatever its result.
/// </summary>
[Collection(AriStackCollection.Name)]
public sealed class DoorOpeningTests(AriStackFixture stack)
{
    private FakeAsterisk Asterisk => stack.Asterisk;

    private async Task<AdminTenant> TenantWithSipDoorAsync(string doorCode = "*12#", string appOpening = "sip", bool registered = true)
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{tenant.DoorId}", new { name = "Main door", doorCode, isActive = true, appOpening });
        if (registered) await Asterisk.RegisterAsync(tenant.DoorSipUsername, announce: false);
        return tenant;
    }

    private static IReadOnlyList<FakeAsterisk.Request> OpeningCalls(FakeAsterisk asterisk, string door) =>
        asterisk.RequestsTo("POST", "/ari/channels/open-").Where(r => r.Query.GetValueOrDefault("endpoint") == $"PJSIP/{door}").ToList();

    private static async Task<JsonElement> EventsAsync(ApiSession session, string path)
    {
        var page = await session.GetAsync(path);
        return page.GetProperty("items");
    }

    [Fact]
    public async Task A_resident_opens_the_door_over_SIP_the_code_goes_as_DTMF_on_the_answered_call_which_is_then_hung_up()
    {
        var tenant = await TenantWithSipDoorAsync();
        var doors = await tenant.Resident.GetAsync("/api/me/doors");
        var listed = Assert.Single(doors.EnumerateArray());
        Assert.Equal(tenant.DoorId, listed.Id());
        Assert.True(listed.GetProperty("canOpen").GetBoolean());

        var opening = tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
        await Eventually.TrueAsync(() => OpeningCalls(Asterisk, tenant.DoorSipUsername).Count == 1, what: "the door called");
        var originate = OpeningCalls(Asterisk, tenant.DoorSipUsername).Single();
        var channel = originate.Path["/ari/channels/".Length..];
        Assert.StartsWith("neolia-", originate.Query["app"]); // this replica's own Stasis application
        Assert.StartsWith($"{DoorOpeningCalls.OpeningArgument},", originate.Query["appArgs"]);
        Assert.Contains("<neolia>", originate.Query["callerId"]); // what the door's auto-answer allow list holds
        Assert.Empty(Asterisk.AllChannels[channel].Dtmf); // nothing is sent before the door answers

        await Asterisk.AnswerLegAsync(channel); // the door auto-answers: Up, then StasisStart with the opening's arguments
        using var response = await opening;
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.GetRawText());
        Assert.Equal("opened", body.GetProperty("result").GetString());
        Assert.Equal(["*12#"], Asterisk.AllChannels[channel].Dtmf);
        var dtmfAt = Asterisk.RequestsTo("POST", $"/ari/channels/{channel}/dtmf").Single().At;
        var hangup = Asterisk.RequestsTo("DELETE", $"/ari/channels/{channel}").Single();
        Assert.True(hangup.At - dtmfAt >= TimeSpan.FromMilliseconds(4 * 400), "hung up only after the four digits were played");
        Assert.False(Asterisk.Channels.ContainsKey(channel));
        Assert.Equal("normal", Asterisk.AllChannels[channel].HangupReason);

        // In the log, for the administrator and for the resident's own apartment, with the same event id.
        var eventId = body.GetProperty("eventId").GetGuid();
        var logged = (await EventsAsync(tenant.Admin, $"/api/admin/doors/{tenant.DoorId}/events?kind=opened_from_app")).EnumerateArray().Single();
        Assert.Equal(eventId, logged.Id());
        Assert.Equal("dtmf_sip", logged.GetProperty("method").GetString());
        Assert.Equal("opened", logged.GetProperty("result").GetString());
        Assert.Equal(tenant.ResidentId, logged.GetProperty("userId").GetGuid());
        Assert.Equal(tenant.ApartmentId, logged.GetProperty("apartmentId").GetGuid());
        Assert.Contains((await EventsAsync(tenant.Resident, "/api/me/door-events")).EnumerateArray(), e => e.Id() == eventId);
    }

    [Fact]
    public async Task A_door_that_is_not_registered_or_refuses_the_call_is_unreachable_and_the_attempt_is_logged()
    {
        var unregistered = await TenantWithSipDoorAsync(registered: false);
        using (var response = await unregistered.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{unregistered.DoorId}/open"))
        {
            var problem = await ProblemAsync(response, HttpStatusCode.GatewayTimeout);
            Assert.Equal("door_unreachable", problem.GetProperty("result").GetString());
        }
        Assert.Empty(OpeningCalls(Asterisk, unregistered.DoorSipUsername)); // not dialled at all
        var logged = (await EventsAsync(unregistered.Admin, $"/api/admin/doors/{unregistered.DoorId}/events")).EnumerateArray().Single();
        Assert.Equal("door_unreachable", logged.GetProperty("result").GetString());

        var busy = await TenantWithSipDoorAsync();
        var opening = busy.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{busy.DoorId}/open");
        await Eventually.TrueAsync(() => OpeningCalls(Asterisk, busy.DoorSipUsername).Count == 1, what: "the door called");
        var channel = OpeningCalls(Asterisk, busy.DoorSipUsername).Single().Path["/ari/channels/".Length..];
        await Asterisk.HangUpFromOutsideAsync(channel, cause: 17); // 486 Busy Here: the door is in a call
        using (var response = await opening)
        {
            Assert.Equal("door_unreachable", (await ProblemAsync(response, HttpStatusCode.GatewayTimeout)).GetProperty("result").GetString());
        }
        Assert.Empty(Asterisk.AllChannels[channel].Dtmf);
    }

    [Fact]
    public async Task A_door_registered_but_not_yet_qualified_is_called_and_opens()
    {
        // Asterisk 22.10.1: a fresh registration's contact is NonQualified and the endpoint "offline" until the first
        // qualify (up to 30 s): the registration row decides, not the endpoint's state.
        var tenant = await TenantWithSipDoorAsync(registered: false);
        await using (var db = new Npgsql.NpgsqlConnection(stack.Stack.DatabaseConnectionString))
        {
            await Neolia.Tests.SipAccounts.RealtimeRows.RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.21", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        }
        var opening = tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
        await Eventually.TrueAsync(() => OpeningCalls(Asterisk, tenant.DoorSipUsername).Count == 1, what: "the door called although ARI says offline");
        var channel = OpeningCalls(Asterisk, tenant.DoorSipUsername).Single().Path["/ari/channels/".Length..];
        await Asterisk.AnswerLegAsync(channel);
        using var response = await opening;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["*12#"], Asterisk.AllChannels[channel].Dtmf);
    }

    [Fact]
    public async Task A_door_switched_off_refuses_and_a_resident_who_insists_is_limited_with_retry_after()
    {
        var tenant = await TenantWithSipDoorAsync(appOpening: "off");
        var listed = Assert.Single((await tenant.Resident.GetAsync("/api/me/doors")).EnumerateArray());
        Assert.False(listed.GetProperty("canOpen").GetBoolean());
        Assert.Equal("disabled", listed.GetProperty("reason").GetString());

        for (var i = 0; i < 5; i++) // DoorOpening:PerUserLimit (5 a minute): every attempt counts
        {
            using var refused = await tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
            Assert.Equal("disabled", (await ProblemAsync(refused, HttpStatusCode.Conflict)).GetProperty("result").GetString());
        }
        using var limited = await tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
        Assert.Equal("rate_limited", (await ProblemAsync(limited, HttpStatusCode.TooManyRequests)).GetProperty("result").GetString());
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single()), 1, 60);
        Assert.Empty(OpeningCalls(Asterisk, tenant.DoorSipUsername));

        var log = await EventsAsync(tenant.Admin, $"/api/admin/doors/{tenant.DoorId}/events?pageSize=10");
        Assert.Equal(6, log.GetArrayLength()); // nothing lost: refused attempts are logged too
        Assert.Equal("rate_limited", log[0].GetProperty("result").GetString()); // newest first
    }

    [Fact]
    public async Task Another_tenant_another_site_and_a_resident_removed_from_the_apartment_get_404_and_nothing_reaches_the_door()
    {
        var tenant = await TenantWithSipDoorAsync();
        var other = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        using (var response = await other.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open"))
            await ProblemAsync(response, HttpStatusCode.NotFound);
        using (var response = await other.Admin.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open"))
            await ProblemAsync(response, HttpStatusCode.NotFound);

        // A resident of another building of the same tenant.
        var site = await tenant.Admin.PostAsync("/api/admin/sites", new { name = "Annex", address = "2 Main Street" });
        var apartment = await tenant.Admin.PostAsync("/api/admin/apartments", new { siteId = site.Id(), number = "5" });
        var email = $"annex{Guid.NewGuid():N}@{tenant.Slug}.test";
        await tenant.Admin.PostAsync("/api/admin/residents", new { email, displayName = "Annex", password = AdminWorld.ResidentPassword, apartmentIds = new[] { apartment.Id() } });
        var annex = await ApiSession.SignInAsync(stack, email, AdminWorld.ResidentPassword);
        Assert.Empty((await annex.GetAsync("/api/me/doors")).EnumerateArray());
        using (var response = await annex.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open"))
            await ProblemAsync(response, HttpStatusCode.NotFound);

        // Removed from the apartment: the token still works, the door is no longer theirs.
        await tenant.Admin.OkAsync(HttpMethod.Delete, $"/api/admin/residents/{tenant.ResidentId}/apartments/{tenant.ApartmentId}");
        using (var response = await tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open"))
            await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Empty((await tenant.Resident.GetAsync("/api/me/doors")).EnumerateArray());

        Assert.Empty(OpeningCalls(Asterisk, tenant.DoorSipUsername));
        Assert.Equal(0, (await EventsAsync(tenant.Admin, $"/api/admin/doors/{tenant.DoorId}/events")).GetArrayLength());
    }

    [Fact]
    public async Task A_deactivated_resident_is_refused_at_once_and_the_tenant_administrator_may_open()
    {
        var tenant = await TenantWithSipDoorAsync();
        await tenant.Admin.PostAsync($"/api/admin/residents/{tenant.ResidentId}/deactivate");
        using (var response = await tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open"))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode); // the access token is revoked

        var opening = tenant.Admin.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
        await Eventually.TrueAsync(() => OpeningCalls(Asterisk, tenant.DoorSipUsername).Count == 1, what: "the door called");
        await Asterisk.AnswerLegAsync(OpeningCalls(Asterisk, tenant.DoorSipUsername).Single().Path["/ari/channels/".Length..]);
        using (var response = await opening) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logged = (await EventsAsync(tenant.Admin, $"/api/admin/doors/{tenant.DoorId}/events")).EnumerateArray().Single();
        Assert.Equal("opened_by_admin", logged.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_door_call_is_a_line_of_the_door_log_linked_to_its_call()
    {
        var tenant = await TenantWithSipDoorAsync();
        var door = await stack.RingDoorAsync(tenant);
        var call = await stack.CallOfAsync(door);
        var logged = (await EventsAsync(tenant.Admin, $"/api/admin/doors/{tenant.DoorId}/events?kind=call")).EnumerateArray().Single();
        Assert.Equal(call.Id, logged.GetProperty("callId").GetGuid());
        Assert.Equal(tenant.ApartmentId, logged.GetProperty("apartmentId").GetGuid());
        await Asterisk.HangUpFromOutsideAsync(door);
    }

    [Fact]
    public async Task The_doors_Action_URL_reports_land_in_the_log_and_are_refused_without_the_doors_token()
    {
        var tenant = await TenantWithSipDoorAsync();
        var issued = await tenant.Admin.PostAsync($"/api/admin/devices/{tenant.DoorId}/action-url");
        var token = issued.GetProperty("token").GetString()!;
        var path = issued.GetProperty("path").GetString()!;
        Assert.Equal($"/api/doors/{tenant.DoorId}/action-url", path);

        // As the door sends it: an HTTP GET, its variables replaced ($card_sn, $mac), the token as the URL's password.
        using (var none = await stack.Gateway.GetAsync($"{path}?event=card&card=0012345678"))
        {
            await ProblemAsync(none, HttpStatusCode.Unauthorized);
        }
        using (var wrong = await stack.Gateway.GetAsync($"{path}?event=card&token=nau_{new string('0', 48)}"))
        {
            await ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        }
        var other = await TenantWithSipDoorAsync();
        using (var crossed = await stack.Gateway.GetAsync($"/api/doors/{other.DoorId}/action-url?event=card&token={token}"))
        {
            await ProblemAsync(crossed, HttpStatusCode.Unauthorized); // one door's token is no other door's
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?event=card&card=0012345678&mac=0C1105AABBCC"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"door:{token}")));
            using var accepted = await stack.Gateway.SendAsync(request);
            Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        }
        using (var accepted = await stack.Gateway.GetAsync($"{path}?event=button&token={token}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        }

        var log = await EventsAsync(tenant.Admin, $"/api/admin/doors/{tenant.DoorId}/events?kind=door_reported");
        Assert.Equal(2, log.GetArrayLength());
        var card = log.EnumerateArray().Single(e => e.GetProperty("details").GetProperty("event").GetString() == "card");
        Assert.Equal("door_local", card.GetProperty("method").GetString());
        Assert.Equal("0012345678", card.GetProperty("details").GetProperty("card").GetString());
        Assert.DoesNotContain(token, log.GetRawText()); // the token is never stored or shown again
        Assert.Equal(0, (await EventsAsync(other.Admin, $"/api/admin/doors/{other.DoorId}/events")).GetArrayLength());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"answered {(int)response.StatusCode}, not {(int)status}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }
}
