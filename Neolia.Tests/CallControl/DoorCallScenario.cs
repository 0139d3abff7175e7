using System.Text.Json;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Devices;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>One apartment behind one door, its residents' sockets, and the door calls the stand-in Asterisk rings.</summary>
public sealed class DoorCallScenario(StackFixture stack, FakeAsterisk asterisk)
{
    public TestTenant Tenant { get; private set; } = null!;
    public string Apartment { get; private set; } = "";

    public static async Task<DoorCallScenario> CreateAsync(StackFixture stack, FakeAsterisk asterisk, string apartment = "7")
    {
        var scenario = new DoorCallScenario(stack, asterisk) { Apartment = apartment };
        scenario.Tenant = await stack.Data.CreateTenantAsync(apartment);
        return scenario;
    }

    /// <summary>A resident; with <paramref name="sip"/>, also a SIP account (registered or not).</summary>
    public async Task<(TestResident Resident, string? Sip)> AddResidentAsync(bool sip = false, bool registered = true)
    {
        var username = sip ? $"{Tenant.Slug}-r{Guid.NewGuid():N}"[..24] : null;
        var resident = await stack.Data.AddResidentAsync(Tenant, Apartment, username);
        if (username is not null && registered) await asterisk.RegisterAsync(username, announce: false);
        return (resident, username);
    }

    /// <summary>An indoor monitor in the apartment (a SIP endpoint with no resident behind it).</summary>
    public async Task<string> AddMonitorAsync(bool registered = true)
    {
        var username = $"{Tenant.Slug}-m{Guid.NewGuid():N}"[..24];
        await using (var scope = stack.DataScope(out var db))
        {
            db.Devices.Add(new Device
            {
                TenantId = Tenant.Id, SiteId = Tenant.SiteId, ApartmentId = Tenant.Apartments[Apartment],
                Kind = DeviceKind.IndoorMonitor, Name = "Monitor", SipUsername = username,
            });
            await db.SaveChangesAsync();
        }
        if (registered) await asterisk.RegisterAsync(username, announce: false);
        return username;
    }

    public async Task<ResidentSocket> ConnectAsync(TestResident resident) => await stack.ConnectAsync(await stack.SignInAsync(resident));

    public Task<string> RingAsync(string? apartment = null) => asterisk.RingDoorAsync(Tenant.Slug, Tenant.DoorSipUsername, apartment ?? Apartment);

    /// <summary>Rings with the dialplan's broadcast offered only to <paramref name="application"/> (StasisBroadcast's app_filter).</summary>
    public Task<string> RingOnlyAsync(string application) =>
        asterisk.RingDoorAsync(Tenant.Slug, Tenant.DoorSipUsername, Apartment, $"^{System.Text.RegularExpressions.Regex.Escape(application)}$");

    /// <summary>The call CallApi recorded for a door channel (its UNIQUEID is the call's Asterisk id).</summary>
    public Task<Call> CallOfAsync(string doorChannelId, Func<Call, bool>? until = null, TimeSpan? timeout = null) =>
        stack.CallOfAsync(doorChannelId, until, timeout);

    public static string StatusOf(JsonElement message) => message.GetProperty("call").GetProperty("status").GetString()!;
}

/// <summary>Waits for a condition that other processes make true (polling, with a bound so a broken path fails, not hangs).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string what = "the condition")
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan? timeout = null, string what = "the condition") =>
        TrueAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Waits until <paramref name="probe"/> finds something (null: not yet) and returns it.</summary>
    public static async Task<T> FoundAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string what = "the value") where T : struct
    {
        T? found = null;
        await TrueAsync(async () => (found = await probe()) is not null, timeout, what);
        return found!.Value;
    }

    /// <summary>Waits until <paramref name="probe"/> finds something (null: not yet) and returns it.</summary>
    public static async Task<T> FoundAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string what = "the value") where T : class
    {
        T? found = null;
        await TrueAsync(async () => (found = await probe()) is not null, timeout, what);
        return found!;
    }

    /// <summary>Waits until <paramref name="probe"/> finds something (null: not yet) and returns it.</summary>
    public static Task<T> FoundAsync<T>(Func<T?> probe, TimeSpan? timeout = null, string what = "the value") where T : class =>
        FoundAsync<T>(() => Task.FromResult(probe()), timeout, what);
}
