using Neolia.CallApi.SipAccounts;
using Neolia.CallApi.Seed;
using Neolia.CallApi.SipFallback;
using Neolia.Tests.Asterisk;
using static Neolia.Tests.SipAccounts.RealtimeRows;

namespace Neolia.Tests.SipAccounts;

/// <summary>The development seed's demo accounts are rows like any other, in contexts the dialplan has.</summary>
[Collection(SipAccountsStackCollection.Name)]
public sealed class SeededAccountsTests(SipAccountsStackFixture stack)
{
    [Fact]
    public async Task Demo_door_and_softphones_are_rows_in_the_demo_contexts_of_the_dialplan()
    {
        var contexts = Dialplan.Load().Steps.Select(s => s.Context).ToHashSet();
        await using var db = stack.OwnerConnection();

        var door = (await RowAsync(db, "ps_endpoints", DevelopmentSeed.DoorSipUsername))!;
        Assert.Equal(SipAccountProfiles.DoorContext, door["context"]);
        Assert.Equal("no", door["webrtc"]);
        foreach (var softphone in DevelopmentSeed.People.Select(p => p.Sip).OfType<string>())
        {
            var endpoint = (await RowAsync(db, "ps_endpoints", softphone))!;
            Assert.Equal(SipAccountProfiles.ResidentContext, endpoint["context"]);
            Assert.Equal("yes", endpoint["webrtc"]);
            Assert.Contains(endpoint["context"]!, contexts);
            Assert.Equal($"NEOLIA_TENANT={DevelopmentSeed.TenantSlug}", endpoint["set_var"]);
            Assert.NotNull(await RowAsync(db, "ps_auths", softphone));
        }
        Assert.Contains(door["context"]!, contexts);
    }

    [Fact]
    public async Task The_demo_apartments_fallback_lists_are_rows_like_any_other_with_the_residents_softphones()
    {
        var lookup = FallbackLookup.OfDialplan();
        await using var asterisk = stack.AsteriskConnection();
        var door = (await RowAsync(asterisk, "ps_endpoints", DevelopmentSeed.DoorSipUsername))!;
        var variables = door["set_var"]!.Split(';').Select(v => v.Split('=', 2)).ToDictionary(v => v[0], v => v[1]);

        foreach (var apartment in DevelopmentSeed.People.Where(p => p.Apartment is not null).GroupBy(p => p.Apartment!))
        {
            var key = lookup.KeyFor(variables["NEOLIA_TENANT"], variables[ApartmentDial.SiteVariable], apartment.Key);
            var row = (await RowAsync(asterisk, ApartmentDial.Table, key))!;
            Assert.Equal(apartment.Select(p => p.Sip).OfType<string>().Select(s => $"PJSIP/{s}").Order(), row[ApartmentDial.DialColumn]!.Split('&').Order());
        }
    }

    [Fact]
    public async Task A_demo_resident_gets_the_softphone_credentials_Asterisk_checks()
    {
        var alice = DevelopmentSeed.People.Single(p => p.Login == "alice");
        var session = await Administration.ApiSession.SignInAsync(stack, $"alice@{DevelopmentSeed.EmailDomain}");
        var account = await session.GetAsync("/api/me/sip-account");
        await using var db = stack.OwnerConnection();

        Assert.Equal(alice.Sip, account.GetProperty("username").GetString());
        // Seed:DemoSipPassword, as the AppHost gives it (its own secret, not the sign-in password).
        Assert.Equal(stack.Secrets.DemoSipPassword, account.GetProperty("password").GetString());
        var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(
            $"{alice.Sip}:{SipAccountsStackFixture.Realm}:{stack.Secrets.DemoSipPassword}")));
        Assert.Equal(md5, (await RowAsync(db, "ps_auths", alice.Sip!))!["md5_cred"]);
    }
}
