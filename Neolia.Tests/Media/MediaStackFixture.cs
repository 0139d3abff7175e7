using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Neolia.CallApi.Users;
using Neolia.DevStack;
using Neolia.ServiceDefaults.Authentication;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Media;

/// <summary>
/// A stack whose CallApi talks to <see cref="FakeLiveKit"/> (LiveKit's server API, its SIP calling the stack's FakeAsterisk) and accepts the stack relays' secret; relays are started
/// by the tests themselves (they kill some), as processes with the stack's settings.
/// </summary>
public sealed class MediaStackFixture : StackFixture
{
    /// <summary>DevStack's processes, not the AppHost: its tests kill relays, and the AppHost's own relay would take their calls.</summary>
    protected override bool RunsOnAppHost => false;

    public FakeLiveKit LiveKit { get; private set; } = null!;
    public string RelaySecret { get; } = RandomNumberGenerator.GetHexString(48);

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings =>
        new Dictionary<string, IReadOnlyDictionary<string, string?>>
        {
            ["callapi"] = new Dictionary<string, string?>
            {
                ["LiveKit__ApiUrl"] = LiveKit.Url,
                ["Media__RelaySecret"] = RelaySecret,
            },
        };

    public override async Task InitializeAsync()
    {
        LiveKit = await FakeLiveKit.StartAsync();
        // An app's answer brings the door into the room through LiveKit SIP, which calls the stand-in Asterisk.
        LiveKit.SipCallTo = callTo => _ = Task.Run(async () => { await Task.Delay(50); await Asterisk.LiveKitCallsInAsync(callTo); });
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await LiveKit.DisposeAsync();
    }

    /// <summary>A stack relay replica, configured as the AppHost configures it.</summary>
    public Task<ServiceProcess> StartRelayAsync(string name) => ServiceProcess.StartAsync(name, "Neolia.MediaRelay", FreePort.Next(),
        new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__redis"] = Stack.RedisConnectionString,
            ["Relay__Mode"] = "stack",
            ["Relay__CallApiUrl"] = Stack.CallApiUrl.ToString(),
            ["Relay__Secret"] = RelaySecret,
            // Short lease and sweep so a takeover happens within seconds in the tests.
            ["Relay__LeaseTime"] = "00:00:03",
            ["Relay__SweepInterval"] = "00:00:01",
            ["Relay__StallTimeout"] = "00:00:03",
            ["Relay__MaxRetryDelay"] = "00:00:02",
        }, Stack.LogDirectory);

    /// <summary>A site relay box, reaching CallApi through the gateway only.</summary>
    public Task<ServiceProcess> StartSiteRelayAsync(string name, Guid siteId, string credential) => ServiceProcess.StartAsync(name, "Neolia.MediaRelay", FreePort.Next(),
        new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Relay__Mode"] = "site",
            ["Relay__CallApiUrl"] = Stack.GatewayUrl.ToString(),
            ["Relay__SiteId"] = siteId.ToString(),
            ["Relay__Credential"] = credential,
        }, Stack.LogDirectory);

    public string RelayLog(string name) => File.ReadAllText(Path.Combine(Stack.LogDirectory, $"{name}.log"));

    /// <summary>A tenant administrator, stored the way CallApi stores one.</summary>
    public async Task<string> AddTenantAdminTokenAsync(TestTenant tenant)
    {
        await using (var scope = DataScope(out _))
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
            var email = $"admin{Guid.NewGuid():N}@{tenant.Slug}.test";
            var user = new User { TenantId = tenant.Id, UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Admin" };
            Assert.True((await users.CreateAsync(user, "Admin-password-1")).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, NeoliaRoles.TenantAdmin)).Succeeded);
            return (await LoginAsync(email, "Admin-password-1")).AccessToken;
        }
    }

    /// <summary>A tenant with these apartments, a resident of the first, an administrator, and its door's camera at <paramref name="rtspUrl"/>.</summary>
    public async Task<(TestTenant Tenant, Guid DoorId, TestResident Resident, string AdminToken)> DoorWithCameraAsync(
        string rtspUrl, string? user = null, string? password = null, params string[] apartments)
    {
        if (apartments is []) apartments = ["1"];
        var tenant = await Data.CreateTenantAsync(apartments);
        var resident = await Data.AddResidentAsync(tenant, apartments[0]);
        var admin = await AddTenantAdminTokenAsync(tenant);
        var doorId = await SetDoorCameraAsync(tenant, admin, rtspUrl, user, password);
        return (tenant, doorId, resident, admin);
    }

    /// <summary>Gives the site a relay box through the admin API; returns its credential (shown once).</summary>
    public async Task<string> IssueSiteRelayAsync(Guid siteId, string adminToken)
    {
        using var issue = await this.AsResidentAsync(adminToken, HttpMethod.Post, $"/api/admin/sites/{siteId}/relay");
        await issue.EnsureSuccessWithBodyAsync();
        return (await issue.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("credential").GetString()!;
    }

    /// <summary>Gives the tenant's door a camera through the admin API (CallApi encrypts it); returns the door's id.</summary>
    public async Task<Guid> SetDoorCameraAsync(TestTenant tenant, string adminToken, string rtspUrl, string? user = null, string? password = null)
    {
        Guid doorId;
        await using (DataScope(out var db))
        {
            doorId = await db.Devices.Where(d => d.SipUsername == tenant.DoorSipUsername).Select(d => d.Id).SingleAsync();
        }
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/devices/{doorId}/camera")
        {
            Content = JsonContent.Create(new { rtspUrl, rtspUsername = user, rtspPassword = password }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await Gateway.SendAsync(request);
        await response.EnsureSuccessWithBodyAsync();
        return doorId;
    }
}

[CollectionDefinition(Name)]
public sealed class MediaStackCollection : ICollectionFixture<MediaStackFixture>
{
    public const string Name = "stack with media relays";
}
