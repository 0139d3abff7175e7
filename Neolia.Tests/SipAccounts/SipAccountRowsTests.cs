using Neolia.CallApi.SipAccounts;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;
using static Neolia.Tests.SipAccounts.RealtimeRows;

namespace Neolia.Tests.SipAccounts;

/// <summary>
/// What the admin API writes for Asterisk: the realtime rows of a door, an indoor monitor and a resident's softphone,
/// column by column as Asterisk reads them, and how they follow every change of the device or resident.
/// </summary>
[Collection(SipAccountsStackCollection.Name)]
public sealed class SipAccountRowsTests(SipAccountsStackFixture stack)
{
    private const string Realm = SipAccountsStackFixture.Realm;

    private Task<AdminTenant> TenantAsync() => AdminWorld.PlatformAdminAsync(stack).ContinueWith(p => AdminWorld.CreateTenantAsync(stack, p.Result)).Unwrap();

    [Fact]
    public async Task A_door_gets_an_endpoint_an_aor_and_an_auth_with_the_door_settings()
    {
        var tenant = await TenantAsync();
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Side gate" });
        var (username, password) = Credentials(created);
        await using var db = stack.OwnerConnection();

        Assert.Equal(new Dictionary<string, string>
        {
            ["id"] = username, ["aors"] = username, ["auth"] = username,
            ["context"] = SipAccountProfiles.DoorContext,
            ["disallow"] = "all", ["allow"] = "g722,ulaw,alaw,h264",
            ["direct_media"] = "no", ["dtmf_mode"] = "rfc4733",
            ["force_rport"] = "yes", ["rewrite_contact"] = "yes", ["rtp_symmetric"] = "yes",
            ["rtp_keepalive"] = "15", ["rtp_timeout"] = "60",
            ["callerid"] = $"\"Side gate\" <{username}>",
            ["send_rpid"] = "yes", ["allow_subscribe"] = "no", ["webrtc"] = "no",
            // A new door: what the Akuvox E12W offers across the internet, SIP over TLS with SRTP (SDES).
            ["transport"] = "transport-tls", ["media_encryption"] = "sdes",
            // Channel variables (res_config_pgsql splits a value on ';'): the tenant, the site the fallback looks in, and
            // that the door calls over TLS only (the dialplan refuses it otherwise).
            ["set_var"] = $"NEOLIA_TENANT={tenant.Slug};NEOLIA_SITE={tenant.SiteId:D};NEOLIA_REQUIRE_TLS=yes", ["tenantid"] = tenant.Slug,
        }, Set((await RowAsync(db, "ps_endpoints", username))!));
        Assert.Equal(new Dictionary<string, string> { ["id"] = username, ["max_contacts"] = "1", ["remove_existing"] = "yes", ["qualify_frequency"] = "30" },
            Set((await RowAsync(db, "ps_aors", username))!));
        Assert.Equal(new Dictionary<string, string>
        {
            ["id"] = username, ["auth_type"] = "md5", ["username"] = username, ["realm"] = Realm, ["md5_cred"] = Ha1(username, password),
        }, Set((await RowAsync(db, "ps_auths", username))!));
        Assert.Equal(Realm, created.GetProperty("device").GetProperty("sipRealm").GetString());
    }

    [Fact]
    public async Task An_indoor_monitor_is_rung_in_the_residents_context_with_plain_RTP_and_video()
    {
        var tenant = await TenantAsync();
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "indoor-monitor", name = "Kitchen", apartmentId = tenant.ApartmentId });
        var (username, password) = Credentials(created);
        await using var db = stack.OwnerConnection();

        var endpoint = Set((await RowAsync(db, "ps_endpoints", username))!);
        Assert.StartsWith($"{tenant.Slug}-monitor-", username);
        Assert.Equal(SipAccountProfiles.ResidentContext, endpoint["context"]);
        Assert.Equal("g722,ulaw,alaw,h264", endpoint["allow"]);
        Assert.Equal("no", endpoint["webrtc"]);
        Assert.Equal("transport-udp", endpoint["transport"]);
        Assert.Equal("no", endpoint["media_encryption"]);
        Assert.Equal(["no", "rfc4733", "yes", "yes", "yes"], new[] { endpoint["direct_media"], endpoint["dtmf_mode"], endpoint["force_rport"], endpoint["rewrite_contact"], endpoint["rtp_symmetric"] });
        Assert.Equal("1", (await RowAsync(db, "ps_aors", username))!["max_contacts"]);
        Assert.Equal(Ha1(username, password), (await RowAsync(db, "ps_auths", username))!["md5_cred"]);
    }

    [Fact]
    public async Task A_resident_gets_a_WebRTC_softphone_on_the_WebSocket_transport_with_several_contacts()
    {
        var tenant = await TenantAsync();
        var (account, username, password) = await SoftphoneAsync(tenant.Resident);
        await using var db = stack.OwnerConnection();

        Assert.StartsWith($"{tenant.Slug}-app-", username);
        Assert.Equal(Realm, account.GetProperty("realm").GetString());
        Assert.Equal("/sip", account.GetProperty("webSocketPath").GetString());
        Assert.Equal(new Dictionary<string, string>
        {
            ["id"] = username, ["aors"] = username, ["auth"] = username, ["transport"] = "transport-ws",
            ["context"] = SipAccountProfiles.ResidentContext,
            ["disallow"] = "all", ["allow"] = "opus,g722,ulaw,alaw",
            ["webrtc"] = "yes", ["dtls_auto_generate_cert"] = "yes",
            ["direct_media"] = "no", ["dtmf_mode"] = "rfc4733",
            ["force_rport"] = "yes", ["rewrite_contact"] = "yes", ["rtp_symmetric"] = "yes",
            ["callerid"] = $"\"Resident\" <{username}>",
            ["send_rpid"] = "yes", ["allow_subscribe"] = "no",
            ["set_var"] = $"NEOLIA_TENANT={tenant.Slug}", ["tenantid"] = tenant.Slug,
        }, Set((await RowAsync(db, "ps_endpoints", username))!));
        Assert.Equal("5", (await RowAsync(db, "ps_aors", username))!["max_contacts"]);
        Assert.Equal(Ha1(username, password), (await RowAsync(db, "ps_auths", username))!["md5_cred"]);
    }

    [Fact]
    public async Task Softphone_credentials_are_for_the_signed_in_resident_only_and_never_cached()
    {
        var tenant = await TenantAsync();

        using var response = await tenant.Resident.SendAsync(HttpMethod.Get, "/api/me/sip-account");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        using var manager = await tenant.Admin.SendAsync(HttpMethod.Get, "/api/me/sip-account");
        Assert.Equal(HttpStatusCode.NotFound, manager.StatusCode);
        Assert.Equal("application/problem+json", manager.Content.Headers.ContentType?.MediaType);
        using var anonymous = await ApiSession.Anonymous(stack).SendAsync(HttpMethod.Get, "/api/me/sip-account");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Renaming_deactivating_reactivating_and_deleting_a_door_change_its_rows()
    {
        var tenant = await TenantAsync();
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Gate" });
        var id = created.GetProperty("device").Id();
        var (username, _) = Credentials(created);
        await using var db = stack.OwnerConnection();

        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Front gate", isActive = true });
        Assert.Equal($"\"Front gate\" <{username}>", (await RowAsync(db, "ps_endpoints", username))!["callerid"]);

        await RegisterAsync(db, username, "198.51.100.20", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Front gate", isActive = false });
        await AssertGoneAsync(db, username);

        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Front gate", isActive = true });
        Assert.Equal(SipAccountProfiles.DoorContext, (await RowAsync(db, "ps_endpoints", username))!["context"]);
        Assert.NotNull(await RowAsync(db, "ps_aors", username));
        Assert.NotNull(await RowAsync(db, "ps_auths", username));

        await RegisterAsync(db, username, "198.51.100.20", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());
        await tenant.Admin.OkAsync(HttpMethod.Delete, $"/api/admin/devices/{id}");
        await AssertGoneAsync(db, username);
    }

    [Fact]
    public async Task A_doors_transport_and_media_encryption_follow_the_console_as_Asterisk_reads_them()
    {
        var tenant = await TenantAsync();
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Gate", sipTransport = "udp", mediaEncryption = "none" });
        var id = created.GetProperty("device").Id();
        var (username, _) = Credentials(created);
        await using var db = stack.OwnerConnection();
        Assert.Equal(("udp", "none"), (created.GetProperty("device").GetProperty("sipTransport").GetString(), created.GetProperty("device").GetProperty("mediaEncryption").GetString()));
        Assert.Equal(("transport-udp", "no"), Security(await RowAsync(db, "ps_endpoints", username)));

        var secured = await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Gate", isActive = true, sipTransport = "tls", mediaEncryption = "sdes" });
        Assert.Equal("tls", secured.GetProperty("sipTransport").GetString());
        Assert.Equal(("transport-tls", "sdes"), Security(await RowAsync(db, "ps_endpoints", username)));

        // Omitted: unchanged, through a rename and a deactivation.
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Gate", isActive = false });
        var back = await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Back gate", isActive = true });
        Assert.Equal(("tls", "sdes"), (back.GetProperty("sipTransport").GetString(), back.GetProperty("mediaEncryption").GetString()));
        Assert.Equal(("transport-tls", "sdes"), Security(await RowAsync(db, "ps_endpoints", username)));

        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Back gate", isActive = true, sipTransport = "tcp", mediaEncryption = "none" });
        Assert.Equal(("transport-tcp", "no"), Security(await RowAsync(db, "ps_endpoints", username)));
        Assert.Equal("tcp", (await tenant.Admin.GetAsync($"/api/admin/devices/{id}")).GetProperty("sipTransport").GetString());
    }

    [Fact]
    public async Task Sdes_over_a_clear_transport_is_refused_and_nothing_changes()
    {
        var tenant = await TenantAsync();
        using var refused = await tenant.Admin.SendAsync(HttpMethod.Post, "/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Gate", sipTransport = "udp", mediaEncryption = "sdes" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("tls", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").GetProperty("mediaEncryption")[0].GetString());

        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Gate" });
        var id = created.GetProperty("device").Id();
        using var downgrade = await tenant.Admin.SendAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Gate", isActive = true, sipTransport = "udp" });
        Assert.Equal(HttpStatusCode.BadRequest, downgrade.StatusCode);
        await using var db = stack.OwnerConnection();
        Assert.Equal(("transport-tls", "sdes"), Security(await RowAsync(db, "ps_endpoints", Credentials(created).Username)));
    }

    [Fact]
    public async Task The_sip_security_endpoint_sets_a_devices_transport_and_media_encryption_in_its_endpoint_row()
    {
        var tenant = await TenantAsync();
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Gate", sipTransport = "udp", mediaEncryption = "none" });
        var id = created.GetProperty("device").Id();
        var (username, _) = Credentials(created);
        var path = $"/api/admin/devices/{id}/sip-security";
        await using var db = stack.OwnerConnection();

        var secured = await tenant.Admin.OkAsync(HttpMethod.Put, path, new { sipTransport = "tls", mediaEncryption = "sdes" });
        Assert.Equal(("tls", "sdes"), (secured.GetProperty("sipTransport").GetString(), secured.GetProperty("mediaEncryption").GetString()));
        Assert.Equal(("transport-tls", "sdes"), Security(await RowAsync(db, "ps_endpoints", username)));
        var read = await tenant.Admin.GetAsync($"/api/admin/devices/{id}");
        Assert.Equal(("tls", "sdes"), (read.GetProperty("sipTransport").GetString(), read.GetProperty("mediaEncryption").GetString()));
        // Over TLS only: the dialplan refuses the door's call when it comes in on another transport.
        Assert.EndsWith($";{SipSecurity.RequireTlsVariable}=yes", (await RowAsync(db, "ps_endpoints", username))!["set_var"]);

        // TLS without SRTP is allowed (signalling hidden, media clear); back to TCP then.
        await tenant.Admin.OkAsync(HttpMethod.Put, path, new { sipTransport = "tls", mediaEncryption = "none" });
        Assert.Equal(("transport-tls", "no"), Security(await RowAsync(db, "ps_endpoints", username)));
        await tenant.Admin.OkAsync(HttpMethod.Put, path, new { sipTransport = "tcp", mediaEncryption = "none" });
        Assert.Equal(("transport-tcp", "no"), Security(await RowAsync(db, "ps_endpoints", username)));
        Assert.DoesNotContain(SipSecurity.RequireTlsVariable, (await RowAsync(db, "ps_endpoints", username))!["set_var"]);

        // Refused, and the row keeps what it had: SDES over a clear transport, unknown values, a missing field.
        foreach (var body in new object[]
        {
            new { sipTransport = "udp", mediaEncryption = "sdes" }, new { sipTransport = "tcp", mediaEncryption = "sdes" },
            new { sipTransport = "wss", mediaEncryption = "none" }, new { sipTransport = "tls", mediaEncryption = "dtls" },
            new { sipTransport = "TLS", mediaEncryption = "sdes" }, new { sipTransport = "tls" },
        })
        {
            using var refused = await tenant.Admin.SendAsync(HttpMethod.Put, path, body);
            var text = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(body)} answered {(int)refused.StatusCode}: {text}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.NotEmpty(JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject());
        }
        Assert.Equal(("transport-tcp", "no"), Security(await RowAsync(db, "ps_endpoints", username)));

        // Another tenant's administrator: the device does not exist for them, and its row is untouched.
        var other = await TenantAsync();
        using var foreign = await other.Admin.SendAsync(HttpMethod.Put, path, new { sipTransport = "tls", mediaEncryption = "sdes" });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("application/problem+json", foreign.Content.Headers.ContentType?.MediaType);
        Assert.Equal(("transport-tcp", "no"), Security(await RowAsync(db, "ps_endpoints", username)));
    }

    [Fact]
    public async Task An_inactive_device_keeps_its_sip_security_for_when_it_comes_back()
    {
        var tenant = await TenantAsync();
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Gate" });
        var id = created.GetProperty("device").Id();
        var (username, _) = Credentials(created);
        await using var db = stack.OwnerConnection();

        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Gate", isActive = false });
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}/sip-security", new { sipTransport = "udp", mediaEncryption = "none" });
        Assert.Null(await RowAsync(db, "ps_endpoints", username));
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{id}", new { name = "Gate", isActive = true });
        Assert.Equal(("transport-udp", "no"), Security(await RowAsync(db, "ps_endpoints", username)));
    }

    private static (string?, string?) Security(Dictionary<string, string?>? endpoint) =>
        (endpoint?["transport"], endpoint?["media_encryption"]);

    [Fact]
    public async Task A_password_reset_replaces_the_digest_and_drops_the_registrations_made_with_the_old_one()
    {
        var tenant = await TenantAsync();
        var created = await tenant.Admin.PostAsync("/api/admin/devices", new { siteId = tenant.SiteId, kind = "door-intercom", name = "Gate" });
        var id = created.GetProperty("device").Id();
        var (username, oldPassword) = Credentials(created);
        await using var db = stack.OwnerConnection();
        await RegisterAsync(db, username, "198.51.100.21", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds());

        var reset = await tenant.Admin.PostAsync($"/api/admin/devices/{id}/sip-password");
        var newPassword = reset.GetProperty("sipPassword").GetString()!;

        Assert.Equal(Realm, reset.GetProperty("sipRealm").GetString());
        Assert.Equal(Ha1(username, newPassword), (await RowAsync(db, "ps_auths", username))!["md5_cred"]);
        Assert.NotEqual(Ha1(username, oldPassword), Ha1(username, newPassword));
        Assert.Empty(await RowsAsync(db, "ps_contacts", "endpoint", username));
        Assert.NotNull(await RowAsync(db, "ps_endpoints", username));
    }

    [Fact]
    public async Task A_deactivated_resident_leaves_Asterisk_and_comes_back_with_the_same_credentials()
    {
        var tenant = await TenantAsync();
        var (_, username, password) = await SoftphoneAsync(tenant.Resident);
        await using var db = stack.OwnerConnection();
        await RegisterAsync(db, username, "198.51.100.30", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), "Neolia app");

        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/residents/{tenant.ResidentId}", new { displayName = "Renamed Resident" });
        Assert.Equal($"\"Renamed Resident\" <{username}>", (await RowAsync(db, "ps_endpoints", username))!["callerid"]);

        await tenant.Admin.PostAsync($"/api/admin/residents/{tenant.ResidentId}/deactivate");
        await AssertGoneAsync(db, username);

        await tenant.Admin.PostAsync($"/api/admin/residents/{tenant.ResidentId}/reactivate");
        Assert.Equal("yes", (await RowAsync(db, "ps_endpoints", username))!["webrtc"]);
        Assert.Equal(Ha1(username, password), (await RowAsync(db, "ps_auths", username))!["md5_cred"]);
    }

    [Fact]
    public async Task Tenant_A_accounts_never_carry_tenant_B_context_or_tenant()
    {
        var world = await AdminWorld.OfAsync(stack);
        await using var db = stack.OwnerConnection();

        foreach (var (mine, other) in new[] { (world.A, world.B), (world.B, world.A) })
        {
            var usernames = new List<string> { mine.DoorSipUsername };
            var devices = await mine.Admin.GetAsync($"/api/admin/devices?siteId={mine.SiteId}");
            usernames.AddRange(devices.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("sipUsername").GetString()!));
            usernames.Add((await mine.Resident.GetAsync("/api/me/sip-account")).GetProperty("username").GetString()!);

            foreach (var username in usernames.Distinct())
            {
                var endpoint = (await RowAsync(db, "ps_endpoints", username))!;
                Assert.Contains(endpoint["context"], new[] { SipAccountProfiles.DoorContext, SipAccountProfiles.ResidentContext });
                var expected = username == mine.DoorSipUsername ? $"NEOLIA_TENANT={mine.Slug};NEOLIA_SITE={mine.SiteId:D};NEOLIA_REQUIRE_TLS=yes" : $"NEOLIA_TENANT={mine.Slug}";
                Assert.Equal(expected, endpoint["set_var"]);
                Assert.Equal(mine.Slug, endpoint["tenantid"]);
            }
            // And tenant A's administrator cannot reach B's device (404, no status leak).
            using var probe = await mine.Admin.SendAsync(HttpMethod.Get, $"/api/admin/devices/{other.DoorId}");
            Assert.Equal(HttpStatusCode.NotFound, probe.StatusCode);
        }
    }

    [Fact]
    public async Task A_device_says_whether_it_is_registered_and_since_when()
    {
        var tenant = await TenantAsync();
        var before = await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.DoorId}");
        Assert.False(before.GetProperty("registration").GetProperty("registered").GetBoolean());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("registration").GetProperty("since").ValueKind);

        var expires = DateTimeOffset.UtcNow.AddMinutes(55).ToUnixTimeSeconds();
        await using (var asterisk = stack.AsteriskConnection())
        {
            // As Asterisk writes it, with Asterisk's own role.
            await RegisterAsync(asterisk, tenant.DoorSipUsername, "198.51.100.40", expires);
        }
        var after = (await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.DoorId}")).GetProperty("registration");

        Assert.True(after.GetProperty("registered").GetBoolean());
        Assert.InRange(after.GetProperty("since").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(expires, after.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal("198.51.100.40:5060", after.GetProperty("address").GetString());
        Assert.Equal("Akuvox E12W 12.30.10.53", after.GetProperty("userAgent").GetString());

        // An expired registration is no registration.
        var monitor = await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.MonitorId}");
        await using (var asterisk = stack.AsteriskConnection())
        {
            await RegisterAsync(asterisk, monitor.GetProperty("sipUsername").GetString()!, "198.51.100.41", DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds());
        }
        Assert.False((await tenant.Admin.GetAsync($"/api/admin/devices/{tenant.MonitorId}")).GetProperty("registration").GetProperty("registered").GetBoolean());
    }

    private static async Task AssertGoneAsync(Npgsql.NpgsqlConnection db, string username)
    {
        Assert.Null(await RowAsync(db, "ps_endpoints", username));
        Assert.Null(await RowAsync(db, "ps_aors", username));
        Assert.Null(await RowAsync(db, "ps_auths", username));
        Assert.Empty(await RowsAsync(db, "ps_contacts", "endpoint", username));
    }

    private static async Task<(JsonElement Account, string Username, string Password)> SoftphoneAsync(ApiSession resident)
    {
        var account = await resident.GetAsync("/api/me/sip-account");
        return (account, account.GetProperty("username").GetString()!, account.GetProperty("password").GetString()!);
    }

    private static (string Username, string Password) Credentials(JsonElement created) =>
        (created.GetProperty("device").GetProperty("sipUsername").GetString()!, created.GetProperty("sipPassword").GetString()!);

    private static string Ha1(string username, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{Realm}:{password}")));
}
