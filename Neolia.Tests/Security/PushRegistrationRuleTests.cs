using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Security;

/// <summary>
/// The push-token rule (docs/security.md): only residents register; a token moves to another account of the same
/// tenant (the phone changed hands within the building's customer); a token of another tenant never moves: 409.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class PushRegistrationRuleTests(StackFixture stack)
{
    private static object Registration(string token, string device) => new { platform = "fcm", token, deviceId = device };

    [Fact]
    public async Task A_token_never_moves_across_tenants_and_tenant_admins_register_none()
    {
        var platform = await AdminWorld.PlatformAdminAsync(stack);
        var a = await AdminWorld.CreateTenantAsync(stack, platform);
        var b = await AdminWorld.CreateTenantAsync(stack, platform);
        var token = $"fcm-{Guid.NewGuid():N}";

        using (var admin = await a.Admin.SendAsync(HttpMethod.Post, "/api/push-registrations", Registration(token, "manager-phone")))
            await CallDriver.AssertProblemAsync(admin, HttpStatusCode.Forbidden);

        using (var mine = await a.Resident.SendAsync(HttpMethod.Post, "/api/push-registrations", Registration(token, "phone")))
            Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        using (var stolen = await b.Resident.SendAsync(HttpMethod.Post, "/api/push-registrations", Registration(token, "phone")))
            await CallDriver.AssertProblemAsync(stolen, HttpStatusCode.Conflict);
        var kept = await a.Resident.GetAsync("/api/push-registrations");
        Assert.Equal(token, kept.EnumerateArray().Single().GetProperty("token").GetString());
        Assert.Equal(0, (await b.Resident.GetAsync("/api/push-registrations")).GetArrayLength());

        // Within the same tenant the token follows the account now signed in on the phone.
        var flatmateEmail = $"flatmate-{Guid.NewGuid():N}@{a.Slug}.test";
        await a.Admin.PostAsync("/api/admin/residents", new
        {
            email = flatmateEmail, displayName = "Flatmate", password = AdminWorld.ResidentPassword, apartmentIds = new[] { a.ApartmentId },
        });
        var flatmate = await ApiSession.SignInAsync(stack, flatmateEmail, AdminWorld.ResidentPassword);
        using (var moved = await flatmate.SendAsync(HttpMethod.Post, "/api/push-registrations", Registration(token, "phone")))
            Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        Assert.Equal(0, (await a.Resident.GetAsync("/api/push-registrations")).GetArrayLength());
    }
}
