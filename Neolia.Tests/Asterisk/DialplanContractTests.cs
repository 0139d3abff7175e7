using Neolia.CallApi.SipAccounts;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Neolia.CallApi.CallControl;
using Neolia.CallApi.Seed;
using Neolia.Tests.CallControl;
using Neolia.CallApi.SipFallback;

namespace Neolia.Tests.Asterisk;

/// <summary>
/// The dialplan (containers/asterisk/extensions.conf) offers door calls to CallApi's replicas (StasisBroadcast());
/// these tests read it and check the hand-off against what CallApi's call control reads and claims, the fallback that
/// rings SIP phones when no replica takes the call, and that every application and function it uses is a module
/// modules.conf loads.
/// </summary>
public sealed partial class DialplanContractTests
{
    private static readonly Dialplan Plan = Dialplan.Load();
    private static List<DialplanStep> Door => Plan.InContext("neolia-door").Where(s => s.Extension.StartsWith('_')).ToList();

    [Theory]
    [InlineData("1")]
    [InlineData("7")]
    [InlineData("101")]
    [InlineData("B12")]
    public void The_doors_context_sends_any_apartment_number_to_the_door_call(string apartment)
    {
        var tenant = Plan.InContext(SipAccountProfiles.DoorContext).Single(s => s.Extension.StartsWith('_'));
        Assert.True(PatternMatches(tenant.Extension, apartment), $"{tenant.Extension} does not take {apartment}");
        Assert.Equal("Goto", tenant.Application);
        Assert.Equal("neolia-door,${EXTEN},1", tenant.Arguments);
        Assert.True(PatternMatches(Door[0].Extension, apartment), $"{Door[0].Extension} does not take {apartment}");
    }

    [Fact]
    public void The_door_rings_then_is_offered_to_every_replica_with_the_arguments_CallApi_reads()
    {
        var broadcast = Door.Single(s => s.Application == "StasisBroadcast");
        // app_stasis_broadcast.c: timeout (ms), app_filter (a regex: no comma), the StasisStart arguments separated by ':'.
        var arguments = broadcast.Arguments.Split(',');
        Assert.Equal(3, arguments.Length);
        Assert.Equal(((int)CallControlOptions.BroadcastTimeout.TotalMilliseconds).ToString(), arguments[0]);
        AssertTheFilterTakesEveryReplicaOnly(arguments[1]);
        // DoorCallRouter reads StasisStart args as [door, tenant, door endpoint, apartment].
        Assert.Equal([DoorCallSetup.DoorArgument, "${NEOLIA_TENANT}", "${CHANNEL(endpoint)}", "${EXTEN}"], arguments[2].Split(':'));
        Assert.Equal(DoorCallClaims.DoorContext, broadcast.Context);
        Assert.InRange(Door.FindIndex(s => s.Application == "Ringing"), 0, Door.IndexOf(broadcast) - 1);
        Assert.True(Door.FindIndex(s => s.Arguments == "CALLERID(num)=${CHANNEL(endpoint)}") < Door.IndexOf(broadcast), "the caller number is the door's name, dashes included");
        // The stand-in plays the same broadcast.
        Assert.Equal($"{FakeAsterisk.BroadcastTimeoutMs},{FakeAsterisk.BroadcastFilter}", $"{arguments[0]},{arguments[1]}");
    }

    [Fact]
    public void A_door_set_to_TLS_is_refused_before_the_broadcast_when_it_calls_over_an_insecure_transport()
    {
        var broadcast = Door.Single(s => s.Application == "StasisBroadcast");
        // The variable the door's endpoint carries (SipAccountProfiles) and Asterisk's own verdict on the signalling.
        var guard = Door.Single(s => s.Application == "GotoIf" && s.Arguments.Contains($"${{{SipSecurity.RequireTlsVariable}}}"));
        Assert.Contains("\"${CHANNEL(pjsip,secure)}\" != \"1\"", guard.Arguments);
        Assert.True(Door.IndexOf(guard) < Door.IndexOf(broadcast), "the guard runs before any replica is offered the call");
        var target = guard.Arguments[(guard.Arguments.IndexOf('?') + 1)..].Split(',')[0];
        var refusal = Plan.InContext("neolia-door").Where(s => s.Extension == target).ToList();
        Assert.NotEmpty(refusal);
        Assert.Equal(("Hangup", "21"), (refusal[^1].Application, refusal[^1].Arguments)); // 403 to the door
    }

    /// <summary>The filter is a POSIX extended regex over application names: each replica's <c>neolia-&lt;id&gt;</c>, no other application.</summary>
    private static void AssertTheFilterTakesEveryReplicaOnly(string filter)
    {
        var options = new CallControlOptions();
        foreach (var replica in (string[])["host-1234", "callapi-0", options.ReplicaId])
            Assert.Matches(filter, new CallControlOptions { ReplicaId = replica }.Application);
        Assert.DoesNotMatch(filter, "other-app");
        Assert.DoesNotMatch(filter, "neolia"); // a CallApi of before the replicas: nothing to claim with
        Assert.DoesNotContain(",", filter);
    }

    [Fact]
    public void Without_an_ARI_client_the_fallback_dials_the_list_PostgreSQL_keeps_for_the_doors_site_and_the_dialled_number()
    {
        var afterStasis = Door.SkipWhile(s => s.Application != "StasisBroadcast").Skip(1).ToList();
        var read = afterStasis.Single(s => s.Arguments.StartsWith("NEOLIA_DIAL=", StringComparison.Ordinal));
        var field = FallbackLookup.Parse(read.Arguments);
        Assert.Equal(ApartmentDial.Table, field.Family);
        Assert.Equal(ApartmentDial.KeyColumn, field.KeyColumn);
        Assert.Equal(ApartmentDial.DialColumn, field.Column);
        // The key PostgreSQL writes (tenant/site/number), from the door's own account variables and the dialled number.
        Assert.Equal($"${{NEOLIA_TENANT}}/${{{ApartmentDial.SiteVariable}}}/${{EXTEN}}", field.Key);
        Assert.Equal(ApartmentDial.KeyOf("T", Guid.Empty, "N"), field.KeyFor("T", Guid.Empty.ToString("D"), "N"));

        Assert.Equal($"$[\"${{NEOLIA_DIAL}}\" = \"\"]?unknown", afterStasis[afterStasis.IndexOf(read) + 1].Arguments);
        var dial = afterStasis.Single(s => s.Application == "Dial");
        Assert.Equal("dial", dial.Label);
        Assert.Equal("${NEOLIA_DIAL},${NEOLIA_FALLBACK_RING_TIMEOUT}", dial.Arguments);
        Assert.DoesNotContain(afterStasis, s => s.Application == "Hangup" && s.Arguments.Length == 0);
        // Nothing is kept in Asterisk's memory: no global dial variable, no static list of any tenant.
        Assert.DoesNotContain(Plan.Steps, s => s.Context.StartsWith("tenant-", StringComparison.Ordinal));
        Assert.DoesNotContain(Plan.Steps, s => s.Arguments.Contains("${NEOLIA_DIAL_", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("NOANSWER", "19")] // 480
    [InlineData("BUSY", "17")]     // 486
    [InlineData("ANSWER", "16")]
    public void After_the_fallback_dial_the_door_hears_the_outcome(string dialStatus, string cause)
    {
        var afterDial = Door.SkipWhile(s => s.Application != "Dial").Skip(1).ToList();
        Assert.Contains(afterDial, s => s.Application == "ExecIf" && s.Arguments == $"$[\"${{DIALSTATUS}}\" = \"{dialStatus}\"]?Hangup({cause})");
        // Anything else (CHANUNAVAIL, CONGESTION): 503; no SIP endpoint known at all: 404.
        Assert.Equal("34", afterDial.First(s => s.Application == "Hangup").Arguments);
        var unknown = Door.Single(s => s.Label == "unknown");
        Assert.Equal("1", Door[Door.IndexOf(unknown) + 1].Arguments);
    }

    [Fact]
    public void LiveKit_SIP_calls_are_offered_to_every_replica_with_the_call_id_and_end_with_503_when_none_takes_them()
    {
        var livekit = Plan.InContext(DoorCallClaims.LiveKitContext).ToList();
        Assert.True(PatternMatches(livekit[0].Extension, Guid.NewGuid().ToString("N")));
        var arguments = livekit.Single(s => s.Application == "StasisBroadcast").Arguments.Split(',');
        Assert.Equal(((int)CallControlOptions.BroadcastTimeout.TotalMilliseconds).ToString(), arguments[0]);
        AssertTheFilterTakesEveryReplicaOnly(arguments[1]);
        Assert.Equal($"{LiveKitBridge.LiveKitArgument}:${{EXTEN}}", arguments[2]);
        Assert.Equal("34", livekit[livekit.FindIndex(s => s.Application == "StasisBroadcast") + 1].Arguments);
    }

    [Fact]
    public void No_secret_and_no_webhook_in_the_dialplan()
    {
        var text = string.Join('\n', Plan.Steps.Select(s => $"{s.Application}({s.Arguments})"));
        Assert.DoesNotContain("${ENV(", text);
        Assert.DoesNotContain("CURL", text);
        Assert.DoesNotContain("SECRET", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Only_the_modules_the_configuration_uses_are_loaded_and_each_one_it_uses_is_and_h_is_not_taken_by_a_pattern()
    {
        var modules = RepositoryFiles.Read("containers", "asterisk", "modules.conf").Split('\n').Select(l => l.Split(';')[0].Trim()).ToList();
        Assert.Contains("autoload = no", modules);
        var loaded = modules.Where(l => l.StartsWith("load =")).Select(l => l["load =".Length..].Trim()).ToHashSet();

        var applications = new Dictionary<string, string>
        {
            ["Dial"] = "app_dial.so", ["Stasis"] = "app_stasis.so", ["StasisBroadcast"] = "app_stasis_broadcast.so", ["GosubIf"] = "app_stack.so", ["ExecIf"] = "app_exec.so", ["Log"] = "app_verbose.so",
        };
        var builtIn = new HashSet<string> { "NoOp", "Goto", "GotoIf", "Set", "Ringing", "Hangup", "Return" };
        foreach (var step in Plan.Steps)
        {
            if (builtIn.Contains(step.Application)) continue;
            Assert.True(applications.TryGetValue(step.Application, out var module), $"line {step.Line}: which module has {step.Application}?");
            Assert.Contains(module, loaded);
        }
        var functions = new Dictionary<string, string>
        {
            ["CHANNEL"] = "func_channel.so", ["CALLERID"] = "func_callerid.so", ["DIALPLAN_EXISTS"] = "func_dialplan.so",
            ["REALTIME_FIELD"] = "func_realtime.so",
        };
        foreach (Match call in FunctionCall().Matches(string.Join('\n', Plan.Steps.Select(s => s.Arguments))))
        {
            Assert.True(functions.TryGetValue(call.Groups[1].Value, out var module), $"which module has {call.Groups[1].Value}()?");
            Assert.Contains(module, loaded);
        }
        Assert.Contains(functions["CALLERID"], loaded); // written with Set(CALLERID(num)=…)
        // The pattern of the door contexts takes one letter: the hangup extension must be their own.
        // (and end in Hangup() without a cause, or Asterisk goes on to the pattern's next priority).
        foreach (var context in Plan.Steps.Where(s => s.Extension.StartsWith('_') && PatternMatches(s.Extension, "h")).Select(s => s.Context).Distinct())
        {
            var h = Plan.InContext(context).Where(s => s.Extension == "h").ToList();
            Assert.True(h.Count > 0, $"[{context}] has no h extension");
            Assert.Equal(("Hangup", ""), (h[^1].Application, h[^1].Arguments));
        }
        foreach (var ari in new[] { "res_ari.so", "res_ari_channels.so", "res_ari_bridges.so", "res_ari_endpoints.so", "res_ari_applications.so", "res_ari_events.so", "res_stasis.so",
                     "res_stasis_broadcast.so", "res_ari_device_states.so", "res_stasis_device_state.so" })
            Assert.Contains(ari, loaded);
    }

    [Fact]
    public void The_functions_an_app_opening_sets_on_its_INVITE_are_loaded()
    {
        // Asterisk 22.10.1 with them missing: "Function PJSIP_HEADER not registered", the door got an INVITE with neither header.
        var loaded = RepositoryFiles.Read("containers", "asterisk", "modules.conf").Split('\n').Select(l => l.Split(';')[0].Trim())
            .Where(l => l.StartsWith("load =")).Select(l => l["load =".Length..].Trim()).ToHashSet();
        var functions = new Dictionary<string, string> { ["PJSIP_HEADER"] = "res_pjsip_header_funcs.so" };
        Assert.NotEmpty(DoorOpeningCalls.AutoAnswerHeaders);
        foreach (var variable in DoorOpeningCalls.AutoAnswerHeaders.Keys)
        {
            var function = variable[..variable.IndexOf('(')];
            Assert.True(functions.TryGetValue(function, out var module), $"which module has {function}()?");
            Assert.Contains(module, loaded);
        }
    }

    [Fact]
    public void The_ARI_user_comes_from_the_environment_and_no_password_is_committed()
    {
        var ari = RepositoryFiles.Read("containers", "asterisk", "ari.conf");
        Assert.Contains("#exec /bin/sh /etc/asterisk/neolia-ari.sh", ari);
        Assert.DoesNotContain("password", ari.Split('\n').Where(l => !l.TrimStart().StartsWith(';')).Select(l => l.Split(';')[0]).Aggregate("", (a, b) => a + b), StringComparison.OrdinalIgnoreCase);

        var unset = AsteriskScripts.Run("neolia-ari.sh", new Dictionary<string, string?> { ["NEOLIA_ARI_PASSWORD"] = null });
        Assert.StartsWith(";", unset.Trim()); // a comment, never empty: Asterisk warns about an empty #exec
        var set = AsteriskScripts.Run("neolia-ari.sh", new Dictionary<string, string?> { ["NEOLIA_ARI_PASSWORD"] = "a-password-of-the-test", ["NEOLIA_ARI_USERNAME"] = "callapi" });
        Assert.Equal("[callapi]\ntype = user\nread_only = no\npassword_format = plain\npassword = a-password-of-the-test\n", set);
    }

    [Theory]
    [InlineData("neolia-nat.sh", "transport")]
    [InlineData("neolia-nat.sh", "ice")]
    [InlineData("neolia-ari.sh", "")]
    public void Each_exec_script_prints_something_when_its_settings_are_unset(string script, string argument)
    {
        var output = AsteriskScripts.Run(script, new Dictionary<string, string?> { ["NEOLIA_EXTERNAL_ADDRESS"] = null, ["NEOLIA_STUN_ADDRESS"] = null, ["NEOLIA_TURN_ADDRESS"] = null }, argument);
        Assert.NotEqual("", output.Trim());
        Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith(";", l));
    }

    /// <summary>Asterisk's extension patterns: _ then X, Z, N, [set], . (one or more), ! (zero or more), literals.</summary>
    public static bool PatternMatches(string pattern, string extension)
    {
        if (!pattern.StartsWith('_')) return pattern == extension;
        var regex = new System.Text.StringBuilder("^");
        for (var i = 1; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case 'X': regex.Append("[0-9]"); break;
                case 'Z': regex.Append("[1-9]"); break;
                case 'N': regex.Append("[2-9]"); break;
                case '.': regex.Append(".+"); break;
                case '!': regex.Append(".*"); break;
                case '[':
                    var close = pattern.IndexOf(']', i);
                    regex.Append(pattern[i..(close + 1)]);
                    i = close;
                    break;
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return Regex.IsMatch(extension, regex.Append('$').ToString());
    }

    [GeneratedRegex(@"\$\{([A-Z_]+)\(")]
    private static partial Regex FunctionCall();
}
