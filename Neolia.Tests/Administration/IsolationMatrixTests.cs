using System.Net;
using System.Text.Json;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Administration;

/// <summary>Who an endpoint is for.</summary>
public enum Audience
{
    /// <summary>Platform administrators only: a tenant administrator or a resident gets 403.</summary>
    Platform,
    /// <summary>Tenant and platform administrators: a resident gets 403; another tenant's ids are "not found".</summary>
    Buildings,
    /// <summary>Any signed-in user, about themselves.</summary>
    Self,
}

/// <summary>
/// One admin or self-service request aimed at tenant B, made by users of tenant A. <see cref="Template"/> is the
/// route as the OpenAPI document names it: every documented endpoint must appear here (see the coverage test).
/// </summary>
public sealed record EndpointCase(string Name, string Method, string Template, Audience Audience,
    Func<AdminWorld, (string Path, object? Body)> Request, bool IsList = false, HttpStatusCode? ForAdministrators = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// The isolation matrix: every admin and resident endpoint, called by tenant A's administrator and resident with
/// tenant B's ids, answers 404 (another tenant's data does not exist for them) or 403 (a role they lack), lists show
/// none of B's data, and B's data is unchanged afterwards.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class IsolationMatrixTests(StackFixture stack)
{
    private static readonly object NewSite = new { name = "Intruder site" };

    public static readonly IReadOnlyList<EndpointCase> Cases =
    [
        new("list tenants", "GET", "/api/admin/tenants", Audience.Platform, w => ("/api/admin/tenants", null), IsList: true),
        new("get tenant", "GET", "/api/admin/tenants/{id}", Audience.Platform, w => ($"/api/admin/tenants/{w.B.TenantId}", null)),
        new("create tenant", "POST", "/api/admin/tenants", Audience.Platform, w => ("/api/admin/tenants", new { slug = "intruder" + Guid.NewGuid().ToString("N")[..6], name = "Intruder" })),
        new("update tenant", "PUT", "/api/admin/tenants/{id}", Audience.Platform, w => ($"/api/admin/tenants/{w.B.TenantId}", new { name = "Renamed" })),
        new("delete tenant", "DELETE", "/api/admin/tenants/{id}", Audience.Platform, w => ($"/api/admin/tenants/{w.B.TenantId}", null)),
        new("create tenant admin", "POST", "/api/admin/tenants/{id}/admins", Audience.Platform,
            w => ($"/api/admin/tenants/{w.B.TenantId}/admins", new { email = $"x{Guid.NewGuid():N}@x.test", displayName = "X", password = "Intruder-password-1" })),

        new("list sites of B", "GET", "/api/admin/sites", Audience.Buildings, w => ($"/api/admin/sites?tenantId={w.B.TenantId}", null), IsList: true),
        new("get site", "GET", "/api/admin/sites/{id}", Audience.Buildings, w => ($"/api/admin/sites/{w.B.SiteId}", null)),
        new("create site in B", "POST", "/api/admin/sites", Audience.Buildings, w => ("/api/admin/sites", new { tenantId = w.B.TenantId, name = "Intruder site" })),
        new("update site", "PUT", "/api/admin/sites/{id}", Audience.Buildings, w => ($"/api/admin/sites/{w.B.SiteId}", NewSite)),
        new("delete site", "DELETE", "/api/admin/sites/{id}", Audience.Buildings, w => ($"/api/admin/sites/{w.B.SiteId}", null)),
        new("give B's site a relay box", "POST", "/api/admin/sites/{id}/relay", Audience.Buildings, w => ($"/api/admin/sites/{w.B.SiteId}/relay", null)),
        new("take B's site's relay box away", "DELETE", "/api/admin/sites/{id}/relay", Audience.Buildings, w => ($"/api/admin/sites/{w.B.SiteId}/relay", null)),

        new("list apartments of B's site", "GET", "/api/admin/apartments", Audience.Buildings, w => ($"/api/admin/apartments?siteId={w.B.SiteId}", null), IsList: true),
        new("get apartment", "GET", "/api/admin/apartments/{id}", Audience.Buildings, w => ($"/api/admin/apartments/{w.B.ApartmentId}", null)),
        new("create apartment in B's site", "POST", "/api/admin/apartments", Audience.Buildings, w => ("/api/admin/apartments", new { siteId = w.B.SiteId, number = "999" })),
        new("update apartment", "PUT", "/api/admin/apartments/{id}", Audience.Buildings, w => ($"/api/admin/apartments/{w.B.ApartmentId}", new { number = "998" })),
        new("delete apartment", "DELETE", "/api/admin/apartments/{id}", Audience.Buildings, w => ($"/api/admin/apartments/{w.B.ApartmentId}", null)),

        new("list devices of B's site", "GET", "/api/admin/devices", Audience.Buildings, w => ($"/api/admin/devices?siteId={w.B.SiteId}", null), IsList: true),
        new("get device", "GET", "/api/admin/devices/{id}", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}", null)),
        new("create device in B's site", "POST", "/api/admin/devices", Audience.Buildings,
            w => ("/api/admin/devices", new { siteId = w.B.SiteId, kind = "door-intercom", name = "Intruder door" })),
        new("create monitor in own site for B's apartment", "POST", "/api/admin/devices", Audience.Buildings,
            w => ("/api/admin/devices", new { siteId = w.A.SiteId, kind = "indoor-monitor", name = "Intruder monitor", apartmentId = w.B.ApartmentId })),
        new("update device", "PUT", "/api/admin/devices/{id}", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}", new { name = "Renamed", isActive = false })),
        new("move own monitor to B's apartment", "PUT", "/api/admin/devices/{id}", Audience.Buildings,
            w => ($"/api/admin/devices/{w.A.MonitorId}", new { name = "Hall monitor", isActive = true, apartmentId = w.B.ApartmentId })),
        new("delete device", "DELETE", "/api/admin/devices/{id}", Audience.Buildings, w => ($"/api/admin/devices/{w.B.MonitorId}", null)),
        new("reset device SIP password", "POST", "/api/admin/devices/{id}/sip-password", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}/sip-password", null)),
        // B's door is TLS + SDES (a new door's default): a change to UDP, plain RTP would show in B's snapshot.
        new("set device SIP security", "PUT", "/api/admin/devices/{id}/sip-security", Audience.Buildings,
            w => ($"/api/admin/devices/{w.B.DoorId}/sip-security", new { sipTransport = "udp", mediaEncryption = "none" })),
        new("set device camera", "PUT", "/api/admin/devices/{id}/camera", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}/camera", new { rtspUrl = "rtsp://evil.example/" })),
        new("remove device camera", "DELETE", "/api/admin/devices/{id}/camera", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}/camera", null)),
        new("set door HTTP API", "PUT", "/api/admin/devices/{id}/http-api", Audience.Buildings,
            w => ($"/api/admin/devices/{w.B.DoorId}/http-api", new { url = "http://evil.example/", username = "admin", password = "x" })),
        new("remove door HTTP API", "DELETE", "/api/admin/devices/{id}/http-api", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}/http-api", null)),
        new("set door app opening", "PUT", "/api/admin/devices/{id}/app-opening", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}/app-opening", new { appOpening = "sip" })),
        new("issue door Action URL token", "POST", "/api/admin/devices/{id}/action-url", Audience.Buildings, w => ($"/api/admin/devices/{w.B.DoorId}/action-url", null)),
        new("B's door log", "GET", "/api/admin/doors/{id}/events", Audience.Buildings, w => ($"/api/admin/doors/{w.B.DoorId}/events", null)),

        new("list residents of B", "GET", "/api/admin/residents", Audience.Buildings, w => ($"/api/admin/residents?tenantId={w.B.TenantId}", null), IsList: true),
        new("list residents of B's apartment", "GET", "/api/admin/residents", Audience.Buildings, w => ($"/api/admin/residents?apartmentId={w.B.ApartmentId}", null), IsList: true),
        new("get resident", "GET", "/api/admin/residents/{id}", Audience.Buildings, w => ($"/api/admin/residents/{w.B.ResidentId}", null)),
        new("create resident in B", "POST", "/api/admin/residents", Audience.Buildings,
            w => ("/api/admin/residents", new { tenantId = w.B.TenantId, email = $"x{Guid.NewGuid():N}@x.test", displayName = "X", password = "Intruder-password-1" })),
        new("create own resident in B's apartment", "POST", "/api/admin/residents", Audience.Buildings,
            w => ("/api/admin/residents", new { email = $"x{Guid.NewGuid():N}@x.test", displayName = "X", password = "Intruder-password-1", apartmentIds = new[] { w.B.ApartmentId } })),
        new("update resident", "PUT", "/api/admin/residents/{id}", Audience.Buildings, w => ($"/api/admin/residents/{w.B.ResidentId}", new { displayName = "Renamed" })),
        new("assign B's resident", "PUT", "/api/admin/residents/{id}/apartments/{apartmentId}", Audience.Buildings,
            w => ($"/api/admin/residents/{w.B.ResidentId}/apartments/{w.A.ApartmentId}", null)),
        new("assign own resident to B's apartment", "PUT", "/api/admin/residents/{id}/apartments/{apartmentId}", Audience.Buildings,
            w => ($"/api/admin/residents/{w.A.ResidentId}/apartments/{w.B.ApartmentId}", null)),
        new("remove B's resident from B's apartment", "DELETE", "/api/admin/residents/{id}/apartments/{apartmentId}", Audience.Buildings,
            w => ($"/api/admin/residents/{w.B.ResidentId}/apartments/{w.B.ApartmentId}", null)),
        new("deactivate resident", "POST", "/api/admin/residents/{id}/deactivate", Audience.Buildings, w => ($"/api/admin/residents/{w.B.ResidentId}/deactivate", null)),
        new("reactivate resident", "POST", "/api/admin/residents/{id}/reactivate", Audience.Buildings, w => ($"/api/admin/residents/{w.B.ResidentId}/reactivate", null)),

        new("list calls of B's site", "GET", "/api/admin/calls", Audience.Buildings, w => ($"/api/admin/calls?siteId={w.B.SiteId}", null), IsList: true),
        new("list calls of B's door", "GET", "/api/admin/calls", Audience.Buildings, w => ($"/api/admin/calls?deviceId={w.B.DoorId}", null), IsList: true),
        new("test B's door", "POST", "/api/admin/devices/{id}/test-call", Audience.Buildings,
            w => ($"/api/admin/devices/{w.B.DoorId}/test-call", new { apartment = w.B.ApartmentNumber })),

        new("status of B's site's devices", "GET", "/api/admin/device-status", Audience.Buildings, w => ($"/api/admin/device-status?siteId={w.B.SiteId}", null), IsList: true),
        new("alerts of B's door", "GET", "/api/admin/alerts", Audience.Buildings, w => ($"/api/admin/alerts?deviceId={w.B.DoorId}", null), IsList: true),
        new("get B's alert webhook", "GET", "/api/admin/alert-webhook", Audience.Buildings, w => ($"/api/admin/alert-webhook?tenantId={w.B.TenantId}", null)),
        new("set B's alert webhook", "PUT", "/api/admin/alert-webhook", Audience.Buildings,
            w => ("/api/admin/alert-webhook", new { url = "https://intruder.example/hook", tenantId = w.B.TenantId })),
        new("remove B's alert webhook", "DELETE", "/api/admin/alert-webhook", Audience.Buildings, w => ($"/api/admin/alert-webhook?tenantId={w.B.TenantId}", null)),

        new("my profile", "GET", "/api/me", Audience.Self, w => ("/api/me", null)),
        new("my doors", "GET", "/api/me/doors", Audience.Self, w => ("/api/me/doors", null)),
        new("my apartments' door log", "GET", "/api/me/door-events", Audience.Self, w => ("/api/me/door-events", null)),
        new("change my password (wrong current password)", "POST", "/api/me/password", Audience.Self,
            w => ("/api/me/password", new { currentPassword = "not-my-password-1", newPassword = "Another-password-1" })),
        // Only residents have a softphone: an administrator's own account has none (404).
        new("my softphone account", "GET", "/api/me/sip-account", Audience.Self, w => ("/api/me/sip-account", null), ForAdministrators: HttpStatusCode.NotFound),
    ];

    public static IEnumerable<object[]> CaseNames => Cases.Select(c => new object[] { c.Name });

    private static EndpointCase CaseNamed(string name) => Cases.Single(c => c.Name == name);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_tenant_administrator_cannot_see_or_touch_another_tenant(string name)
    {
        var endpoint = CaseNamed(name);
        var world = await AdminWorld.OfAsync(stack);
        var before = await world.SnapshotOfBAsync(stack);

        var (path, body) = endpoint.Request(world);
        using var response = await world.A.Admin.SendAsync(new HttpMethod(endpoint.Method), path, body);

        var text = await response.Content.ReadAsStringAsync();
        var expected = endpoint.ForAdministrators ?? endpoint switch
        {
            { Audience: Audience.Platform } => HttpStatusCode.Forbidden,
            { IsList: true } or { Audience: Audience.Self } => (HttpStatusCode?)null,
            _ => HttpStatusCode.NotFound,
        };
        if (expected is { } status)
        {
            Assert.True(status == response.StatusCode, $"{endpoint.Method} {path} answered {(int)response.StatusCode}, not {(int)status}: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{endpoint.Method} {path} answered {(int)response.StatusCode}: {text}");
        }
        AssertMentionsNothingOf(world.B, text);
        Assert.Equal(before, await world.SnapshotOfBAsync(stack));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_resident_reaches_no_admin_endpoint_and_only_their_own_data(string name)
    {
        var endpoint = CaseNamed(name);
        var world = await AdminWorld.OfAsync(stack);
        var before = await world.SnapshotOfBAsync(stack);

        var (path, body) = endpoint.Request(world);
        using var response = await world.A.Resident.SendAsync(new HttpMethod(endpoint.Method), path, body);

        var text = await response.Content.ReadAsStringAsync();
        if (endpoint.Audience == Audience.Self)
        {
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{endpoint.Method} {path} answered {(int)response.StatusCode}: {text}");
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{endpoint.Method} {path} answered {(int)response.StatusCode}, not 403: {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        AssertMentionsNothingOf(world.B, text);
        Assert.Equal(before, await world.SnapshotOfBAsync(stack));
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Without_a_token_every_endpoint_answers_401(string name)
    {
        var endpoint = CaseNamed(name);
        var world = await AdminWorld.OfAsync(stack);
        var (path, body) = endpoint.Request(world);

        using var response = await ApiSession.Anonymous(stack).SendAsync(new HttpMethod(endpoint.Method), path, body);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>An endpoint added without a row here fails: isolation is tested for every endpoint, not for the ones remembered.</summary>
    [Fact]
    public async Task Every_admin_and_self_service_endpoint_of_the_OpenAPI_document_is_in_the_matrix()
    {
        using var response = await stack.Gateway.GetAsync("/openapi/v1.json");
        await response.EnsureSuccessWithBodyAsync();
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var documented = new SortedSet<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var route = path.Name.TrimEnd('/');
            if (!route.StartsWith("/api/admin", StringComparison.Ordinal) && !route.StartsWith("/api/me", StringComparison.Ordinal)) continue;
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is "parameters" or "summary" or "description" or "servers") continue;
                documented.Add($"{operation.Name.ToUpperInvariant()} {route}");
            }
        }
        var covered = Cases.Select(c => $"{c.Method} {c.Template}").ToHashSet();

        Assert.NotEmpty(documented);
        var untested = documented.Where(e => !covered.Contains(e)).ToList();
        var undocumented = covered.Where(e => !documented.Contains(e)).ToList();
        Assert.True(untested.Count == 0, "Endpoints missing from the isolation matrix: " + string.Join("; ", untested));
        Assert.True(undocumented.Count == 0, "Matrix rows for endpoints the document lacks: " + string.Join("; ", undocumented));
    }

    private static void AssertMentionsNothingOf(AdminTenant other, string body)
    {
        // A problem's "instance" echoes the request's own path: that is the caller's input, not B's data.
        if (body.StartsWith('{') && JsonDocument.Parse(body).RootElement is { } root && root.TryGetProperty("instance", out _))
        {
            body = string.Join(",", root.EnumerateObject().Where(p => p.Name != "instance").Select(p => p.ToString()));
        }
        foreach (var id in other.Ids) Assert.DoesNotContain(id.ToString(), body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(other.Slug, body, StringComparison.OrdinalIgnoreCase);
    }
}
