using System.Text.Json;
using Microsoft.Playwright;
using Neolia.Tests.Administration;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Neolia.Tests.AdminConsole;

/// <summary>
/// The console in a real headless Chromium, through the gateway of a real stack (PostgreSQL, Redis, CallApi, the
/// Notifier, the gateway and the console as processes): what a building manager does, end to end.
/// </summary>
public sealed class AdminConsoleBrowserTests(AdminConsoleFixture stack, ITestOutputHelper output) : IClassFixture<AdminConsoleFixture>
{
    [Fact]
    public async Task A_tenant_admin_onboards_a_building_and_watches_a_test_call_ring_and_end_on_the_live_board()
    {
        var (tenantId, email, password) = await stack.NewTenantAdminAsync();
        var siteName = $"Residence {Guid.NewGuid().ToString("N")[..6]}";
        await using var browser = await stack.NewBrowserAsync();
        var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);

        await console.SignInAsync(email, password);
        await Expect(console.Page.Locator("h1")).ToHaveTextAsync("Live board");
        await Expect(console.Page.Locator("[data-testid=board-connection]")).ToHaveTextAsync("Live");

        // A site; first without a name: the form says so beside the field and sends nothing.
        await console.OpenAsync("sites", "Sites");
        await console.ClickAsync("create-site");
        await Expect(console.MessageBeside("site-name")).ToContainTextAsync("Give the site a name.");
        await console.FillAsync("site-name", siteName);
        await console.FillAsync("site-address", "12 Rue des Lilas");
        await console.ClickAsync("create-site");
        await Expect(console.Grid("sites")).ToContainTextAsync(siteName);

        // A door: its SIP credentials are shown once, with what to type into the Akuvox.
        await console.OpenAsync("doors", "Doors");
        await console.FillAsync("door-name", "Main entrance");
        await console.ClickAsync("create-door");
        var credentials = console.Page.Locator("[data-testid=sip-credentials]");
        await Expect(credentials).ToBeVisibleAsync();
        var sipUsername = await credentials.Locator("[data-testid=sip-username]").InnerTextAsync();
        Assert.Matches("^[a-z0-9-]+$", sipUsername);
        Assert.True((await credentials.Locator("[data-testid=sip-password]").InnerTextAsync()).Length >= 16);
        await console.ScreenshotAsync("doors-credentials-desktop");
        await console.ClickAsync("credentials-done");
        await Expect(console.Grid("doors")).ToContainTextAsync(sipUsername);

        // An apartment: the API refuses a number the door cannot dial, and says so beside the field.
        await console.OpenAsync("apartments", "Apartments");
        await console.FillAsync("apartment-number", "12B");
        await console.ClickAsync("create-apartment");
        await Expect(console.MessageBeside("apartment-number")).ToContainTextAsync("digits only");
        await console.FillAsync("apartment-number", "101");
        await console.ClickAsync("create-apartment");
        await Expect(console.Grid("apartments")).ToContainTextAsync("101");

        // A resident of 101 with a first password.
        var residentEmail = $"ines.{Guid.NewGuid().ToString("N")[..6]}@example.test";
        await console.OpenAsync("residents", "Residents");
        await console.FillAsync("resident-name", "Inès Martin");
        await console.FillAsync("resident-email", residentEmail);
        await console.FillAsync("resident-password", "First-password-1");
        await console.ChooseAsync("resident-apartment", "101");
        await console.ClickAsync("create-resident");
        await Expect(console.Grid("residents")).ToContainTextAsync(residentEmail);
        await Expect(console.Grid("residents")).ToContainTextAsync("101");

        // The board open in a second tab; the door tested from the first.
        var board = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
        await board.OpenAsync("./", "Live board");
        await Expect(board.Page.Locator("[data-testid=board-connection]")).ToHaveTextAsync("Live");
        await Expect(board.Page.Locator("[data-testid=board-empty]")).ToBeVisibleAsync();

        var other = await stack.NewTenantAdminAsync();
        await using var otherBrowser = await stack.NewBrowserAsync();
        var otherBoard = new ConsolePage(await otherBrowser.NewPageAsync(), stack.ScreenshotDirectory);
        await otherBoard.SignInAsync(other.Email, other.Password);
        await Expect(otherBoard.Page.Locator("[data-testid=board-connection]")).ToHaveTextAsync("Live");

        await console.OpenAsync("doors", "Doors");
        await console.Page.GetByTitle("Test Main entrance").ClickAsync();
        await console.FillAsync("test-apartment", "101");
        await console.ClickAsync("ring-test");
        await Expect(console.Page.Locator("[data-testid=page-notice]")).ToContainTextAsync("101 is ringing");

        var ringing = board.Page.Locator("[data-testid=board-active] li[data-status=ringing]");
        await Expect(ringing).ToHaveCountAsync(1);
        await Expect(ringing).ToContainTextAsync("Main entrance");
        await Expect(ringing).ToContainTextAsync("101");
        await Expect(ringing).ToContainTextAsync("test");
        var callId = Guid.Parse((await ringing.GetAttributeAsync("data-call-id"))!);
        await board.ScreenshotAsync("board-ringing-desktop");

        // The resident declines on their phone: the board shows it finished, without a reload.
        var resident = await ApiSession.SignInAsync(stack, residentEmail, "First-password-1");
        await resident.PostAsync($"/api/calls/{callId}/decline");
        await Expect(board.Page.Locator($"[data-testid=board-finished] li[data-call-id='{callId}']")).ToHaveAttributeAsync("data-status", "declined");
        await Expect(board.Page.Locator("[data-testid=board-empty]")).ToBeVisibleAsync();

        // The other tenant's administrator saw none of it, live or in lists.
        await Expect(otherBoard.Page.Locator("[data-testid=board-empty]")).ToBeVisibleAsync();
        await Expect(otherBoard.Page.Locator($"[data-call-id='{callId}']")).ToHaveCountAsync(0);
        await otherBoard.OpenAsync("sites", "Sites");
        await Expect(otherBoard.Grid("sites")).Not.ToContainTextAsync(siteName);
        await otherBoard.OpenAsync("calls", "Call history");
        await Expect(otherBoard.Grid("calls")).Not.ToContainTextAsync("Main entrance");

        // The history keeps it, marked as a test.
        await console.OpenAsync("calls", "Call history");
        var row = console.Grid("calls").Locator("tr", new() { HasText = "Main entrance" });
        await Expect(row).ToContainTextAsync("declined");
        await Expect(row).ToContainTextAsync("test");

        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var history = await platform.GetAsync($"/api/admin/calls?deviceId={await DoorIdAsync(platform, tenantId)}");
        var call = history.GetProperty("items").EnumerateArray().Single();
        Assert.True(call.GetProperty("isTest").GetBoolean());
        Assert.Equal("declined", call.GetProperty("status").GetString());

        await ScreenshotsAsync(email, password);
    }

    [Fact]
    public async Task The_visitors_picture_shows_in_the_call_history_and_the_door_log_through_the_consoles_session()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        var test = await tenant.Admin.PostAsync($"/api/admin/devices/{tenant.DoorId}/test-call", new { apartment = tenant.ApartmentNumber });
        var callId = test.Id("callId");
        // The picture a relay would have stored for the call (ffmpeg's own encoder, 64x48).
        var jpegPath = Path.Combine(Path.GetTempPath(), $"visitor-{Guid.NewGuid():N}.jpg");
        using (var ffmpeg = System.Diagnostics.Process.Start("ffmpeg", $"-loglevel error -f lavfi -i color=c=red:s=64x48 -frames:v 1 {jpegPath}"))
        {
            await ffmpeg.WaitForExitAsync();
        }
        // The door has a camera: the stack's relay may be creating the call's media row right now (it asks for the
        // stream), so the picture is stored as one upsert, not a read then an insert.
        await using (var db = new Npgsql.NpgsqlConnection(stack.Stack.DatabaseConnectionString))
        {
            await db.OpenAsync();
            await using var upsert = new Npgsql.NpgsqlCommand("""
                INSERT INTO "CallMedia" ("CallId", "TenantId", "Snapshot", "SnapshotWidth", "SnapshotHeight", "SnapshotTakenAt")
                VALUES (@call, @tenant, @jpeg, 64, 48, now())
                ON CONFLICT ("CallId") DO UPDATE SET "Snapshot" = excluded."Snapshot", "SnapshotWidth" = 64, "SnapshotHeight" = 48, "SnapshotTakenAt" = now()
                """, db);
            upsert.Parameters.AddWithValue("call", callId);
            upsert.Parameters.AddWithValue("tenant", tenant.TenantId);
            upsert.Parameters.AddWithValue("jpeg", await File.ReadAllBytesAsync(jpegPath));
            await upsert.ExecuteNonQueryAsync();
        }

        await using var browser = await stack.NewBrowserAsync();
        var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
        await console.SignInAsync($"manager@{tenant.Slug}.test", "Manager-password-1");
        await Expect(console.Page.Locator("h1")).ToHaveTextAsync("Live board");

        await console.OpenAsync("calls", "Call history");
        var picture = console.Grid("calls").Locator("img.visitor");
        await Expect(picture).ToHaveCountAsync(1);
        await Expect(picture).ToHaveAttributeAsync("src", $"pictures/api/calls/{callId}/snapshot");
        // Loaded, not a broken image: the browser sent only its cookie, the console asked the API with the session's token.
        await console.Page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=calls] img.visitor'); return i && i.complete && i.naturalWidth === 64; }");
        await console.ScreenshotAsync("calls-with-visitor-picture");

        await console.OpenAsync("door-log", "Door log");
        var logged = console.Grid("door-events").Locator("tr", new() { HasText = "call" }).Locator("img.visitor");
        await Expect(logged).ToHaveCountAsync(1);
        await console.Page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=door-events] img.visitor'); return i && i.complete && i.naturalWidth === 64; }");

        // Without the session, and for another route of the API, the console passes nothing on.
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using (var response = await anonymous.GetAsync(new Uri(stack.ConsoleUrl, $"pictures/api/calls/{callId}/snapshot")))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode); // to the sign-in page
            Assert.NotEqual("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        }
        var other = await console.Page.APIRequest.GetAsync($"pictures/api/admin/tenants");
        Assert.Equal(404, other.Status);
    }

    [Fact]
    public async Task An_admin_sets_a_door_to_TLS_and_SRTP_in_the_console_and_cannot_ask_for_SRTP_over_UDP()
    {
        var (_, email, password) = await stack.NewTenantAdminAsync();
        var admin = await ApiSession.SignInAsync(stack, email, password);
        var site = await admin.PostAsync("/api/admin/sites", new { name = "Building" });
        var created = await admin.PostAsync("/api/admin/devices", new { siteId = site.Id(), kind = "door-intercom", name = "Back gate", sipTransport = "udp", mediaEncryption = "none" });
        var doorId = created.GetProperty("device").Id();
        var sipUsername = created.GetProperty("device").GetProperty("sipUsername").GetString()!;
        await using var browser = await stack.NewBrowserAsync();
        var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
        await console.SignInAsync(email, password);
        await Expect(console.Page.Locator("h1")).ToHaveTextAsync("Live board");

        await console.OpenAsync("doors", "Doors");
        var row = console.Grid("doors").Locator("tr", new() { HasText = "Back gate" });
        await Expect(row).ToContainTextAsync("UDP · plain RTP");
        await console.Page.GetByTitle("SIP security of Back gate").ClickAsync();
        var card = console.Page.Locator("[data-testid=sip-security]");
        await Expect(card).ToContainTextAsync("SIP security of Back gate");
        await console.ChooseAsync("security-transport", "TLS");
        await console.ChooseAsync("security-media", "SRTP");
        await console.ClickAsync("save-security");
        await Expect(console.Page.Locator("[data-testid=page-notice]")).ToContainTextAsync("Back gate now uses TLS · SRTP");
        await Expect(row).ToContainTextAsync("TLS · SRTP");
        Assert.Equal(("transport-tls", "sdes"), await EndpointSecurityAsync(sipUsername));
        var door = await admin.GetAsync($"/api/admin/devices/{doorId}");
        Assert.Equal(("tls", "sdes"), (door.GetProperty("sipTransport").GetString(), door.GetProperty("mediaEncryption").GetString()));

        // SRTP over UDP would send the media keys in the clear: the form says why, and nothing changes.
        await console.Page.GetByTitle("SIP security of Back gate").ClickAsync();
        await console.ChooseAsync("security-transport", "UDP");
        await console.ClickAsync("save-security");
        await Expect(card.Locator("[data-testid=form-problem]")).ToContainTextAsync("needs sipTransport 'tls'");
        await console.ScreenshotAsync("doors-sip-security-refused-desktop");
        await Expect(row).ToContainTextAsync("TLS · SRTP");
        Assert.Equal(("transport-tls", "sdes"), await EndpointSecurityAsync(sipUsername));
    }

    /// <summary>The door's transport and media encryption as Asterisk reads them from its realtime endpoint row.</summary>
    private async Task<(string?, string?)> EndpointSecurityAsync(string sipUsername)
    {
        await using var db = new Npgsql.NpgsqlConnection(stack.Stack.DatabaseConnectionString);
        var endpoint = await Neolia.Tests.SipAccounts.RealtimeRows.RowAsync(db, "ps_endpoints", sipUsername);
        return (endpoint?["transport"], endpoint?["media_encryption"]);
    }

    [Fact]
    public async Task A_door_is_set_up_for_app_opening_its_HTTP_API_and_its_Action_URL_from_the_console()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        var door = await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.DoorId}");
        var doorName = door.GetProperty("name").GetString()!;
        await using var browser = await stack.NewBrowserAsync();
        var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
        await console.SignInAsync($"manager@{tenant.Slug}.test", "Manager-password-1");
        await Expect(console.Page.Locator("h1")).ToHaveTextAsync("Live board");
        await console.OpenAsync("doors", "Doors");
        await console.Page.GetByTitle($"Opening of {doorName}").ClickAsync();
        var card = console.Page.Locator("[data-testid=door-opening]");
        await Expect(card).ToBeVisibleAsync();

        // The switch: through the site box; the door's record says so, its door code kept.
        await console.ChooseAsync("app-opening", "Through the site box");
        await console.ClickAsync("save-app-opening");
        await Expect(console.Page.Locator("[data-testid=page-notice]")).ToContainTextAsync("site box");
        var saved = await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.DoorId}");
        Assert.Equal("site-box", saved.GetProperty("appOpening").GetString());
        Assert.Equal(door.GetProperty("hasDoorCode").GetBoolean(), saved.GetProperty("hasDoorCode").GetBoolean());

        // The HTTP API: saved, then shown by its host only; the password is never shown back.
        const string password = "Door-http-secret-7";
        await console.FillAsync("http-api-url", "http://192.168.1.50");
        await console.FillAsync("http-api-user", "admin");
        await console.FillAsync("http-api-password", password);
        await console.ClickAsync("save-http-api");
        await Expect(console.Page.Locator("[data-testid=http-api-current]")).ToContainTextAsync("192.168.1.50");
        await Expect(console.Page.Locator("[data-testid=http-api-current]")).ToContainTextAsync("with credentials");
        Assert.Equal("", await console.Page.Locator("#http-api-password input").InputValueAsync());
        Assert.DoesNotContain(password, await console.Page.ContentAsync());
        var api = (await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.DoorId}")).GetProperty("httpApi");
        Assert.Equal("192.168.1.50", api.GetProperty("host").GetString());
        Assert.True(api.GetProperty("hasCredentials").GetBoolean());

        // The Action URL: made, shown once as the exact URL to type into the door, and it works as shown.
        await console.ClickAsync("new-action-url");
        var shown = await console.Page.Locator("[data-testid=action-url-card]").InnerTextAsync();
        var url = new Uri(shown.Replace("$", "%24"));
        Assert.Equal(stack.Stack.GatewayUrl.Authority, url.Authority);
        Assert.Equal($"/api/doors/{tenant.DoorId}/action-url", url.AbsolutePath);
        Assert.StartsWith("door:nau_", Uri.UnescapeDataString(url.UserInfo));
        Assert.EndsWith("?event=card&card=$card_sn&mac=$mac", shown);
        await console.ScreenshotAsync("door-opening-setup");
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"{url.AbsolutePath}?event=card&card=0012345678"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo))));
            using var reported = await stack.Gateway.SendAsync(request);
            Assert.True(reported.IsSuccessStatusCode, $"{(int)reported.StatusCode}");
        }
        var logged = (await tenant.Admin.GetAsync($"/api/admin/doors/{tenant.DoorId}/events?kind=door_reported")).GetProperty("items");
        Assert.Single(logged.EnumerateArray());
        Assert.True((await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.DoorId}")).GetProperty("hasActionUrl").GetBoolean());
    }

    [Fact]
    public async Task A_resident_who_signs_in_is_told_the_console_is_not_for_them()
    {
        var (_, email, password) = await stack.NewTenantAdminAsync();
        var admin = await ApiSession.SignInAsync(stack, email, password);
        var site = await admin.PostAsync("/api/admin/sites", new { name = "Building" });
        var apartment = await admin.PostAsync("/api/admin/apartments", new { siteId = site.Id(), number = "7" });
        var residentEmail = $"resident.{Guid.NewGuid().ToString("N")[..6]}@example.test";
        await admin.PostAsync("/api/admin/residents", new { email = residentEmail, displayName = "Resident", password = "Resident-password-1", apartmentIds = new[] { apartment.Id() } });

        await using var browser = await stack.NewBrowserAsync(390, 844);
        var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
        await console.SignInAsync(residentEmail, "Resident-password-1");

        await Expect(console.Page.Locator("[data-testid=signin-refused]")).ToContainTextAsync("Residents answer their door in the Neolia app");
        await console.ScreenshotAsync("signin-resident-refused-phone");
        await console.Page.GotoAsync("sites");
        await Expect(console.Page.Locator("#signin")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_its_cookie_opens_nothing_afterwards()
    {
        var (_, email, password) = await stack.NewTenantAdminAsync();
        await using var browser = await stack.NewBrowserAsync();
        var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
        await console.SignInAsync("not-an-address", password);
        await Expect(console.MessageBeside("email")).ToContainTextAsync("This is not an e-mail address.");
        await console.SignInAsync(email, "wrong-password-1");
        await Expect(console.Page.Locator("[data-testid=signin-error]")).ToBeVisibleAsync();

        // With the keyboard alone: the e-mail field comes first, Enter sends.
        await console.Page.GotoAsync("login");
        await console.Page.Keyboard.PressAsync("Tab");
        await console.Page.Keyboard.TypeAsync(email);
        await console.Page.Keyboard.PressAsync("Tab");
        await console.Page.Keyboard.TypeAsync(password);
        await console.Page.Keyboard.PressAsync("Enter");
        await Expect(console.Page.Locator("h1")).ToHaveTextAsync("Live board");
        var cookies = await browser.CookiesAsync();

        await console.ClickAsync("sign-out");
        await Expect(console.Page.Locator("[data-testid=signed-out]")).ToBeVisibleAsync();
        await console.Page.GotoAsync("sites");
        await Expect(console.Page.Locator("#signin")).ToBeVisibleAsync();

        // The old cookie, replayed: its session is gone.
        await using var replay = await stack.NewBrowserAsync();
        await replay.AddCookiesAsync(cookies.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        var replayed = await replay.NewPageAsync();
        await replayed.GotoAsync("sites");
        await Expect(replayed.Locator("#signin")).ToBeVisibleAsync();
    }

    private static async Task<Guid> DoorIdAsync(ApiSession platform, Guid tenantId)
    {
        var sites = await platform.GetAsync($"/api/admin/sites?tenantId={tenantId}");
        var siteId = sites.GetProperty("items").EnumerateArray().Single().Id();
        var doors = await platform.GetAsync($"/api/admin/devices?siteId={siteId}");
        return doors.GetProperty("items").EnumerateArray().Single().Id();
    }

    [Fact]
    public async Task The_live_board_shows_a_door_that_lost_its_registration_as_offline_since_then()
    {
        var (_, email, password) = await stack.NewTenantAdminAsync();
        var admin = await ApiSession.SignInAsync(stack, email, password);
        var site = await admin.PostAsync("/api/admin/sites", new { name = "Building" });
        var door = (await admin.PostAsync("/api/admin/devices", new { siteId = site.Id(), kind = "door-intercom", name = "Garden gate" })).GetProperty("device");
        var username = door.GetProperty("sipUsername").GetString()!;
        await using var db = new Npgsql.NpgsqlConnection(stack.Stack.DatabaseConnectionString);
        await Neolia.Tests.SipAccounts.RealtimeRows.RegisterAsync(db, username, "198.51.100.30", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

        await using var browser = await stack.NewBrowserAsync();
        var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
        await console.SignInAsync(email, password);
        await Expect(console.Page.Locator("[data-testid=board-all-online]")).ToHaveTextAsync("Every device is online.", new() { Timeout = 20_000 });

        // The door is unplugged: Asterisk removes its registration. The open board shows it without a reload.
        await using (var delete = new Npgsql.NpgsqlCommand("DELETE FROM ps_contacts WHERE endpoint = @u", db))
        {
            delete.Parameters.AddWithValue("u", username);
            await delete.ExecuteNonQueryAsync();
        }
        var offline = console.Page.Locator($"[data-testid=board-offline] li[data-device-id='{door.Id()}']");
        await Expect(offline).ToContainTextAsync("Garden gate", new() { Timeout = 20_000 });
        await Expect(offline.Locator("[data-testid=device-offline]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\s*offline since \d\d:\d\d UTC\s*$"));
        await Expect(offline).ToContainTextAsync("registration lost");
        await console.ScreenshotAsync("board-door-offline");
    }

    /// <summary>The main pages at desktop (1280×800) and phone (390×844) widths, in light and dark.</summary>
    private async Task ScreenshotsAsync(string email, string password)
    {
        foreach (var (label, width, height) in new[] { ("desktop", 1280, 800), ("phone", 390, 844) })
        {
            await using var browser = await stack.NewBrowserAsync(width, height);
            var console = new ConsolePage(await browser.NewPageAsync(), stack.ScreenshotDirectory);
            await console.Page.GotoAsync("login");
            await console.ScreenshotAsync($"signin-{label}");
            await console.SignInAsync(email, password);
            await Expect(console.Page.Locator("[data-testid=board-connection]")).ToHaveTextAsync("Live");
            await Expect(console.Page.Locator("[data-testid=board-finished] li").First).ToBeVisibleAsync();
            await console.ScreenshotAsync($"board-{label}");
            foreach (var (path, heading) in new[] { ("sites", "Sites"), ("doors", "Doors"), ("apartments", "Apartments"), ("residents", "Residents"), ("calls", "Call history") })
            {
                await console.OpenAsync(path, heading);
                await Expect(console.Page.Locator("tbody tr").First).ToBeVisibleAsync();
                await console.ScreenshotAsync($"{path}-{label}");
            }
            await console.ClickAsync("theme-switch");
            await console.ScreenshotAsync($"calls-dark-{label}");
        }
        output.WriteLine($"Screenshots: {stack.ScreenshotDirectory}");
        System.Console.WriteLine($"Admin console screenshots: {stack.ScreenshotDirectory}");
    }
}
