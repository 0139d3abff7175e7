using System.Net;
using System.Text.Json;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Administration;

/// <summary>Missing, too long or malformed input answers 400 with the offending fields named, never a 500.</summary>
[Collection(StackCollection.Name)]
public sealed class ValidationTests(StackFixture stack)
{
    private static readonly string Long201 = new('x', 201);

    /// <summary>Who sends, method, path ({site}, {apartment}, {device} are tenant A's), JSON body, the fields that must be named.</summary>
    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        { "platform", "POST", "/api/admin/tenants", "{}", "slug,name" },
        { "platform", "POST", "/api/admin/tenants", "{\"slug\":\"Bad Slug!\",\"name\":\"x\"}", "slug" },
        { "platform", "POST", "/api/admin/tenants", $"{{\"slug\":\"{new string('a', 64)}\",\"name\":\"x\"}}", "slug" },
        { "platform", "POST", "/api/admin/tenants", $"{{\"slug\":\"ok-slug\",\"name\":\"{Long201}\"}}", "name" },
        { "platform", "PUT", "/api/admin/tenants/{tenant}", "{}", "name" },
        { "platform", "POST", "/api/admin/tenants/{tenant}/admins", "{\"email\":\"nope\",\"displayName\":\"\",\"password\":\"short\"}", "email,displayName,password" },
        { "platform", "POST", "/api/admin/sites", "{\"name\":\"Site\"}", "tenantId" },
        { "admin", "POST", "/api/admin/sites", "{}", "name" },
        { "admin", "POST", "/api/admin/sites", $"{{\"name\":\"{Long201}\",\"address\":\"{new string('y', 501)}\"}}", "name,address" },
        { "admin", "POST", "/api/admin/sites", "{\"tenantId\":\"not-a-guid\",\"name\":\"x\"}", "tenantId" },
        { "admin", "PUT", "/api/admin/sites/{site}", "{\"name\":null}", "name" },
        { "admin", "POST", "/api/admin/apartments", "{}", "siteId,number" },
        { "admin", "POST", "/api/admin/apartments", "{\"siteId\":\"{site}\",\"number\":\"12a\"}", "number" },
        { "admin", "POST", "/api/admin/apartments", $"{{\"siteId\":\"{{site}}\",\"number\":\"{new string('1', 33)}\"}}", "number" },
        { "admin", "POST", "/api/admin/apartments", "{\"siteId\":12,\"number\":\"1\"}", "siteId" },
        { "admin", "PUT", "/api/admin/apartments/{apartment}", "{\"number\":\"\"}", "number" },
        { "admin", "POST", "/api/admin/devices", "{}", "siteId,kind,name" },
        { "admin", "POST", "/api/admin/devices", "{\"siteId\":\"{site}\",\"kind\":\"toaster\",\"name\":\"x\"}", "kind" },
        { "admin", "POST", "/api/admin/devices", $"{{\"siteId\":\"{{site}}\",\"kind\":\"door-intercom\",\"name\":\"{Long201}\"}}", "name" },
        { "admin", "POST", "/api/admin/devices", "{\"siteId\":\"{site}\",\"kind\":\"door-intercom\",\"name\":\"x\",\"doorCode\":\"12x\"}", "doorCode" },
        { "admin", "POST", "/api/admin/devices", "{\"siteId\":\"{site}\",\"kind\":\"door-intercom\",\"name\":\"x\",\"rtspUrl\":\"http://camera/\"}", "rtspUrl" },
        { "admin", "POST", "/api/admin/devices", "{\"siteId\":\"{site}\",\"kind\":\"door-intercom\",\"name\":\"x\",\"rtspPassword\":\"secret\"}", "rtspUrl" },
        { "admin", "POST", "/api/admin/devices", "{\"siteId\":\"{site}\",\"kind\":\"door-intercom\",\"name\":\"x\",\"apartmentId\":\"{apartment}\"}", "apartmentId" },
        { "admin", "PUT", "/api/admin/devices/{device}", "{\"name\":\"x\"}", "isActive" },
        { "admin", "POST", "/api/admin/devices", "{\"siteId\":\"{site}\",\"kind\":\"door-intercom\",\"name\":\"x\",\"sipTransport\":\"wss\",\"mediaEncryption\":\"zrtp\"}", "sipTransport,mediaEncryption" },
        { "admin", "PUT", "/api/admin/devices/{device}", "{\"name\":\"x\",\"isActive\":true,\"sipTransport\":\"TLS \"}", "sipTransport" },
        { "admin", "POST", "/api/admin/devices", "{\"siteId\":\"{site}\",\"kind\":\"door-intercom\",\"name\":\"x\",\"sipTransport\":\"tcp\",\"mediaEncryption\":\"sdes\"}", "mediaEncryption" },
        { "admin", "PUT", "/api/admin/devices/{device}/sip-security", "{}", "sipTransport,mediaEncryption" },
        { "admin", "PUT", "/api/admin/devices/{device}/sip-security", "{\"sipTransport\":\"wss\",\"mediaEncryption\":\"srtp\"}", "sipTransport,mediaEncryption" },
        { "admin", "PUT", "/api/admin/devices/{device}/sip-security", "{\"sipTransport\":\"udp\",\"mediaEncryption\":\"sdes\"}", "mediaEncryption" },
        { "admin", "PUT", "/api/admin/devices/{device}/camera", "{\"rtspUrl\":\"not a url\"}", "rtspUrl" },
        { "admin", "POST", "/api/admin/residents", "{}", "email,displayName,password" },
        { "admin", "POST", "/api/admin/residents", "{\"email\":\"not-an-email\",\"displayName\":\"x\",\"password\":\"short\"}", "email,password" },
        { "admin", "POST", "/api/admin/residents", "{\"email\":\"weak@example.test\",\"displayName\":\"x\",\"password\":\"alllowercase\"}", "password" },
        { "admin", "POST", "/api/admin/residents", "{\"email\":\"x@example.test\",\"displayName\":\"x\",\"password\":\"Good-password-1\",\"apartmentIds\":[\"zzz\"]}", "apartmentIds[0]" },
        { "admin", "PUT", "/api/admin/residents/{resident}", $"{{\"displayName\":\"{Long201}\"}}", "displayName" },
        { "admin", "GET", "/api/admin/sites?pageSize=0", "", "pageSize" },
        { "admin", "GET", "/api/admin/devices?page=0&pageSize=201", "", "page,pageSize" },
        { "admin", "GET", "/api/admin/apartments?pageSize=abc", "", "pageSize" },
        { "resident", "POST", "/api/me/password", "{}", "currentPassword,newPassword" },
        { "resident", "POST", "/api/me/password", "{\"currentPassword\":\"wrong-password-1\",\"newPassword\":\"Another-password-1\"}", "currentPassword" },
        { "admin", "POST", "/api/admin/sites", "{not json", "body" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Invalid_input_answers_400_naming_the_fields(string who, string method, string path, string body, string fields)
    {
        var world = await AdminWorld.OfAsync(stack);
        var session = who switch { "platform" => world.PlatformAdmin, "admin" => world.A.Admin, _ => world.A.Resident };
        string Fill(string s) => s.Replace("{tenant}", world.A.TenantId.ToString()).Replace("{site}", world.A.SiteId.ToString())
            .Replace("{apartment}", world.A.ApartmentId.ToString()).Replace("{device}", world.A.DoorId.ToString())
            .Replace("{resident}", world.A.ResidentId.ToString());

        using var response = await session.SendAsync(new HttpMethod(method), Fill(path), body.Length == 0 ? null : Fill(body));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        foreach (var field in fields.Split(','))
        {
            Assert.True(errors.Contains(field, StringComparer.OrdinalIgnoreCase), $"No error for '{field}' in {text}");
        }
    }
}
