using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.CallControl;
using Neolia.CallApi.Calls;
using Neolia.Contracts;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.CallControl;

/// <summary>
/// A stack whose CallApi controls door calls on two Asterisk servers, each a stand-in with its own system name
/// (<c>ast-a</c>, the base fixture's <see cref="StackFixture.Asterisk"/>, and <c>ast-b</c>), plus a third configured as
/// <c>ast-c</c> whose system name is another: the wrong server, which CallApi must not use. The LiveKit stand-in (on
/// ast-a) sends LiveKit SIP's call to the Asterisk its trunk points at.
/// </summary>
public sealed class SeveralAsteriskStackFixture : AriStackFixture
{
    public const string TrunkA = "ast-a.test:5060";
    public const string TrunkB = "ast-b.test:5060";
    public readonly string RealtimePassword = "realtime-" + Guid.NewGuid().ToString("N");

    public FakeAsterisk AsteriskB { get; private set; } = null!;
    public FakeAsterisk Misnamed { get; private set; } = null!;

    protected override string? AsteriskSystemName => "ast-a";

    protected override string AsteriskTrunkAddress => TrunkA;

    protected override IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> ExtraSettings
    {
        get
        {
            var callApi = AsteriskSettings(1, AsteriskB, TrunkB);
            foreach (var (k, v) in AsteriskSettings(2, Misnamed, "ast-c.test:5060")) callApi[k] = v;
            callApi["CallControl__Asterisks__2__Name"] = "ast-c";
            // Asterisk's database role, and a quick check that the Asterisks read from the primary (RealtimeOnPrimary).
            callApi["Asterisk__Realtime__Password"] = RealtimePassword;
            callApi["Asterisk__Realtime__PrimaryCheckInterval"] = "00:00:00.5";
            return new Dictionary<string, IReadOnlyDictionary<string, string?>> { ["callapi"] = callApi };
        }
    }

    public override async Task InitializeAsync()
    {
        AsteriskB = await FakeAsterisk.StartAsync("ast-b");
        Misnamed = await FakeAsterisk.StartAsync("ast-other");
        await base.InitializeAsync();
        Asterisk.LiveKitSipTargets[TrunkB] = AsteriskB;
        await AsteriskB.Connected.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await AsteriskB.DisposeAsync();
        await Misnamed.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SeveralAsteriskCollection : ICollectionFixture<SeveralAsteriskStackFixture>
{
    public const string Name = "stack with two Asterisk servers";
}

/// <summary>
/// CallControl:Asterisks with several servers: every replica connects to each, a call is controlled on the Asterisk
/// it arrived on (its legs, its LiveKit leg, its bridge, its end), losing one Asterisk leaves the other's calls
/// alone, a door is opened from the Asterisk it is registered on, and a server whose system name is not the
/// configured one is not used.
/// </summary>
[Collection(SeveralAsteriskCollection.Name)]
public sealed class SeveralAsteriskTests(SeveralAsteriskStackFixture stack)
{
    private FakeAsterisk A => stack.Asterisk;
    private FakeAsterisk B => stack.AsteriskB;

    [Fact]
    public async Task An_Asterisk_not_reading_from_the_primary_is_told_to_reconnect_and_one_that_is_is_left_alone()
    {
        // The stand-ins read no database: no session of Asterisk's role on the primary, as after a fall-back to a read
        // replica. Both connected Asterisks are told to reload res_config_pgsql; the misnamed one, never connected, is not.
        await Eventually.TrueAsync(() => Reloads(A) > 0 && Reloads(B) > 0, what: "ast-a and ast-b told to reconnect their realtime database");
        Assert.Equal(0, Reloads(stack.Misnamed));

        // Two sessions of the role on the primary, as two Asterisks reading from it: nobody is told any more.
        await using var first = await RealtimeSessionAsync();
        await using var second = await RealtimeSessionAsync();
        await Task.Delay(TimeSpan.FromSeconds(1)); // a check under way when they opened
        var told = Reloads(A) + Reloads(B);
        await Task.Delay(TimeSpan.FromSeconds(3)); // six checks, past the four-check pause between two reloads
        Assert.Equal(told, Reloads(A) + Reloads(B));

        // One Asterisk falls back to a replica again: told again.
        await second.CloseAsync();
        await Eventually.TrueAsync(() => Reloads(A) + Reloads(B) > told, what: "the Asterisks told again once a session left the primary");
    }

    private static int Reloads(FakeAsterisk asterisk) =>
        asterisk.Exchanges.Count(e => e.Request.Method == "PUT" && e.Request.Path == "/ari/asterisk/modules/res_config_pgsql.so" && e.Status == 204);

    /// <summary>A connection as Asterisk's role, as res_config_pgsql holds one.</summary>
    private async Task<Npgsql.NpgsqlConnection> RealtimeSessionAsync()
    {
        var connection = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(stack.Stack.DatabaseConnectionString)
        {
            Username = "asterisk", Password = stack.RealtimePassword, Pooling = false, ApplicationName = "asterisk",
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task A_lease_not_renewed_for_an_hour_is_deleted_a_recent_one_is_kept()
    {
        await using (var scope = stack.DataScope(out var db))
        {
            db.Set<CallControlLease>().AddRange(
                new CallControlLease { Application = "neolia-gone-for-good", Asterisk = "ast-a", RenewedAt = DateTimeOffset.UtcNow - CallTakeover.ForgottenLease - TimeSpan.FromMinutes(5) },
                new CallControlLease { Application = "neolia-away-a-while", Asterisk = "ast-a", RenewedAt = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5) });
            await db.SaveChangesAsync();
        }
        async Task<List<string>> LeasesAsync()
        {
            await using var scope = stack.DataScope(out var db);
            return await db.Set<CallControlLease>().AsNoTracking().Where(l => l.Application.StartsWith("neolia-gone") || l.Application.StartsWith("neolia-away")).Select(l => l.Application).ToListAsync();
        }
        await Eventually.TrueAsync(async () => !(await LeasesAsync()).Contains("neolia-gone-for-good"), TimeSpan.FromSeconds(30), "the forgotten lease deleted");
        Assert.Equal(["neolia-away-a-while"], await LeasesAsync());
    }

    [Fact]
    public async Task A_call_on_the_second_Asterisk_is_rung_bridged_through_LiveKit_and_ended_there_only()
    {
        var scenario = await DoorCallScenario.CreateAsync(stack, B, "41");
        var monitor = await scenario.AddMonitorAsync();
        var (alice, _) = await scenario.AddResidentAsync();
        var token = await stack.SignInAsync(alice);
        await using var socket = await stack.ConnectAsync(token);

        var door = await scenario.RingAsync();
        Assert.StartsWith("ast-b-", door); // Asterisk's ids start with its system name: no collision between servers
        var call = await scenario.CallOfAsync(door);
        await socket.WaitForRingAsync(call.Id.ToString());
        await Eventually.TrueAsync(() => B.Originates(door).Count == 1, what: "the monitor dialled on ast-b");
        Assert.Equal($"PJSIP/{monitor}", B.Originates(door)[0].Query["endpoint"]);
        Assert.Empty(A.RequestsTo("POST", "/ari/channels/" + door));
        Assert.Empty(A.RequestsTo("POST", $"/ari/channels/{door}/ring"));

        // The app answers: LiveKit SIP is asked to call through ast-b's trunk, and ast-b bridges its leg with the door.
        using (var answer = await stack.ActAsync(token, call.Id.ToString(), "answer")) await answer.EnsureSuccessWithBodyAsync();
        await Eventually.TrueAsync(() => A.SipParticipants.Any(p => p["sipCallTo"]!.GetValue<string>() == call.Id.ToString("N")), what: "CreateSIPParticipant");
        var participant = A.SipParticipants.Single(p => p["sipCallTo"]!.GetValue<string>() == call.Id.ToString("N"));
        var trunk = A.LiveKitTrunks[participant["sipTrunkId"]!.GetValue<string>()];
        Assert.Equal(SeveralAsteriskStackFixture.TrunkB, trunk.Address);
        Assert.Equal("neolia-neolia-ast-b", trunk.Name);
        var liveKitLeg = "";
        await Eventually.TrueAsync(() => B.Bridges.TryGetValue($"neolia-{call.Id:N}", out var m) && m.Count == 2 && m.Contains(door)
            && (liveKitLeg = m.Single(c => c != door)) != "", what: "door bridged with LiveKit's leg on ast-b");
        Assert.DoesNotContain($"neolia-{call.Id:N}", A.Bridges.Keys);

        // The visitor leaves: the call ends, ast-b hangs up LiveKit's leg; ast-a was never asked to.
        await B.HangUpFromOutsideAsync(door);
        await socket.WaitForUpdateAsync(call.Id.ToString(), "ended");
        await Eventually.TrueAsync(() => !B.Channels.ContainsKey(liveKitLeg), what: "LiveKit's leg hung up");
        Assert.Empty(A.RequestsTo("DELETE", "/ari/channels/" + liveKitLeg));
        var ended = await scenario.CallOfAsync(door, c => c.Status == CallStatuses.Ended);
        Assert.Equal(CallEndReasons.DoorHungUp, ended.EndReason);
        Assert.Equal(alice.Id, ended.AnsweredByUserId);

        // Who controls it, and where, is recorded for a takeover.
        await using var scope = stack.DataScope(out var db);
        var owner = await db.Set<DoorCallOwner>().SingleAsync(o => o.CallId == call.Id);
        Assert.Equal("ast-b", owner.Asterisk);
    }

    [Fact]
    public async Task Each_Asterisk_gets_its_own_lease_and_losing_one_leaves_the_other_s_calls_ringing()
    {
        await using (var scope = stack.DataScope(out var db))
        {
            var leases = await db.Set<CallControlLease>().Select(l => l.Asterisk).ToListAsync();
            Assert.Contains("ast-a", leases);
            Assert.Contains("ast-b", leases);
            Assert.DoesNotContain("ast-c", leases);
        }

        var onB = await DoorCallScenario.CreateAsync(stack, B, "42");
        var monitorB = await onB.AddMonitorAsync();
        var onA = await DoorCallScenario.CreateAsync(stack, A, "43");
        await onA.AddMonitorAsync();
        var doorB = await onB.RingAsync();
        var callB = await onB.CallOfAsync(doorB);
        await Eventually.TrueAsync(() => B.Originates(doorB).Count == 1, what: "the monitor dialled on ast-b");

        // ast-a restarts (its event stream dropped, refused for a while): the call on ast-b is left as it is...
        A.RefuseEventStream = true;
        A.DropEventStream();
        var doorA = await onA.RingAsync();
        Assert.Equal("TIMEOUT", A.Broadcasts[doorA].Status); // nobody takes calls on ast-a now: its dialplan's fallback rings
        var leg = B.Originates(doorB)[0].Path["/ari/channels/".Length..];
        await B.AnswerLegAsync(leg);
        await Eventually.TrueAsync(() => B.Bridges.TryGetValue($"neolia-{callB.Id:N}", out var m) && m.Contains(doorB) && m.Contains(leg), what: "the monitor's answer bridged on ast-b");
        var answered = await onB.CallOfAsync(doorB, c => c.Status == CallStatuses.Answered);
        Assert.Null(answered.AnsweredByUserId); // the monitor answered, no resident
        Assert.Equal($"PJSIP/{monitorB}", B.Originates(doorB)[0].Query["endpoint"]);

        // ...and ast-a's calls are taken again once it is back.
        A.RefuseEventStream = false;
        await A.Connected.WaitAsync(TimeSpan.FromSeconds(10));
        var again = await onA.RingAsync();
        Assert.Equal("SUCCESS", A.Broadcasts[again].Status);
        await onA.CallOfAsync(again);
        await B.HangUpFromOutsideAsync(doorB);
    }

    [Fact]
    public async Task A_door_is_opened_from_the_Asterisk_it_is_registered_on()
    {
        var tenant = await AdminWorld.CreateTenantAsync(stack, await AdminWorld.PlatformAdminAsync(stack));
        await tenant.Admin.OkAsync(HttpMethod.Put, $"/api/admin/devices/{tenant.DoorId}", new { name = "Main door", doorCode = "*7#", isActive = true, appOpening = "sip" });
        await using (var db = new Npgsql.NpgsqlConnection(stack.Stack.DatabaseConnectionString))
        {
            await SipAccounts.RealtimeRows.RegisterAsync(db, tenant.DoorSipUsername, "198.51.100.31", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(), regServer: "ast-b");
        }
        await B.RegisterAsync(tenant.DoorSipUsername, announce: false);

        var opening = tenant.Resident.SendAsync(HttpMethod.Post, $"/api/doors/{tenant.DoorId}/open");
        IReadOnlyList<FakeAsterisk.Request> Calls(FakeAsterisk asterisk) =>
            asterisk.RequestsTo("POST", "/ari/channels/open-").Where(r => r.Query.GetValueOrDefault("endpoint") == $"PJSIP/{tenant.DoorSipUsername}").ToList();
        await Eventually.TrueAsync(() => Calls(B).Count == 1, what: "the door called from ast-b");
        var channel = Calls(B)[0].Path["/ari/channels/".Length..];
        await B.AnswerLegAsync(channel);
        using var response = await opening;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["*7#"], B.AllChannels[channel].Dtmf);
        Assert.Empty(Calls(A));
    }

    [Fact]
    public async Task An_Asterisk_whose_system_name_is_not_the_configured_one_is_not_used()
    {
        // CallApi asks its name before it opens the event stream, and stands back when it is another one.
        await Eventually.TrueAsync(() => stack.Misnamed.Exchanges.Any(e => e.Request.Path == "/ari/asterisk/info" && e.Status == 200), what: "its name asked");
        await A.Connected.WaitAsync(TimeSpan.FromSeconds(10));
        await B.Connected.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(1)); // an event stream opened after the answer would be here by now
        Assert.DoesNotContain(stack.Misnamed.Requests, r => r.Path.StartsWith("/ari/events", StringComparison.Ordinal));
        Assert.Empty(stack.Misnamed.Applications);
        var logs = "";
        await Eventually.TrueAsync(() => (logs = ReadShared(Path.Combine(stack.Stack.LogDirectory, "callapi.log"))).Contains("Asterisk ast-c"), what: "the refusal logged");
        Assert.Contains("its systemname is 'ast-other'", logs);
    }

    private static string ReadShared(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
