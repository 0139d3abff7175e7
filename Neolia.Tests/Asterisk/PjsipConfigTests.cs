using System.Diagnostics;
using System.Text.RegularExpressions;
using Neolia.CallApi.Seed;

namespace Neolia.Tests.Asterisk;

/// <summary>containers/asterisk/pjsip.conf and its companions: transports only, NAT for each, no secret, no #exec warning.</summary>
public sealed class PjsipConfigTests
{
    private static readonly string PjsipText = RepositoryFiles.Read("containers", "asterisk", "pjsip.conf");
    private static readonly IReadOnlyList<AsteriskConfigSection> Pjsip = AsteriskConfigFile.Parse(PjsipText);
    private static readonly string[] Transports = ["transport-udp", "transport-tcp", "transport-ws"];

    [Fact]
    public void Pjsip_conf_keeps_only_the_global_section_and_the_transports()
    {
        // Accounts are rows in PostgreSQL (SipAccounts tests); a section here would shadow or duplicate them.
        Assert.Equal(["global", .. Transports], Pjsip.Select(s => s.Name));
        Assert.Equal("global", Pjsip[0].Single("type"));
        Assert.All(Pjsip.Skip(1), s => Assert.Equal("transport", s.Single("type")));
        Assert.Equal(["udp", "tcp", "ws"], Pjsip.Skip(1).Select(s => s.Single("protocol")));
    }

    [Fact]
    public void Every_transport_that_carries_media_gets_the_nat_settings()
    {
        var directives = AsteriskConfigFile.Directives(PjsipText);
        foreach (var transport in Transports)
        {
            var section = Pjsip.Single(s => s.Name == transport);
            Assert.Contains("192.168.0.0/16", section.Values["local_net"]);
            Assert.Equal("#exec /bin/sh /etc/asterisk/neolia-nat.sh transport", Assert.Single(directives[transport], d => d.Contains("neolia-nat.sh")));
        }
    }

    [Fact]
    public void Nat_script_prints_the_external_address_when_set_and_a_comment_otherwise()
    {
        var unset = RunNatScript("transport", new());
        Assert.NotEmpty(unset);
        Assert.All(unset, l => Assert.StartsWith(";", l));

        var set = RunNatScript("transport", new() { ["NEOLIA_EXTERNAL_ADDRESS"] = "203.0.113.7" });
        Assert.Equal(["external_media_address = 203.0.113.7", "external_signaling_address = 203.0.113.7"], set);
    }

    [Fact]
    public void LiveKit_SIPs_account_comes_from_the_environment_and_only_then()
    {
        Assert.Equal("#exec /bin/sh /etc/asterisk/neolia-livekit.sh", Assert.Single(AsteriskConfigFile.Directives(PjsipText)["global"]));
        var unset = RunScript("neolia-livekit.sh", "", new());
        Assert.All(unset.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.StartsWith(";", l));

        var sections = AsteriskConfigFile.Parse(RunScript("neolia-livekit.sh", "", new() { ["NEOLIA_LIVEKIT_SIP_PASSWORD"] = "livekit-password-of-the-test" }));
        var endpoint = sections.Single(s => s.Single("type") == "endpoint");
        Assert.Equal("neolia-livekit", endpoint.Single("context")); // the dialplan's Stasis hand-off for LiveKit legs
        Assert.Equal("livekit", endpoint.Single("auth"));
        Assert.Equal("livekit-password-of-the-test", sections.Single(s => s.Single("type") == "auth").Single("password"));
    }

    [Fact]
    public void Ice_servers_come_from_the_environment()
    {
        var directives = AsteriskConfigFile.Directives(RepositoryFiles.Read("containers", "asterisk", "rtp.conf"));
        Assert.Equal("#exec /bin/sh /etc/asterisk/neolia-nat.sh ice", Assert.Single(directives["general"]));
        Assert.Equal("yes", AsteriskConfigFile.Load("rtp.conf").Single(s => s.Name == "general").Single("icesupport"));

        Assert.All(RunNatScript("ice", new()), l => Assert.StartsWith(";", l));
        var ice = RunNatScript("ice", new()
        {
            ["NEOLIA_STUN_ADDRESS"] = "stun.example.net:3478", ["NEOLIA_TURN_ADDRESS"] = "turn.example.net:3478",
            ["NEOLIA_TURN_USERNAME"] = "neolia", ["NEOLIA_TURN_PASSWORD"] = "turn-secret",
        }).Where(l => !l.StartsWith(';'));
        Assert.Equal(["stunaddr = stun.example.net:3478", "turnaddr = turn.example.net:3478", "turnusername = neolia", "turnpassword = turn-secret"], ice);
    }

    [Fact]
    public void Every_exec_names_a_script_of_the_repository()
    {
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf("containers", "asterisk"), "*.conf"))
        {
            foreach (var exec in File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.StartsWith("#exec", StringComparison.Ordinal)))
            {
                var script = exec.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
                Assert.StartsWith("/etc/asterisk/", script);
                Assert.True(File.Exists(RepositoryFiles.PathOf("containers", "asterisk", Path.GetFileName(script))), $"{Path.GetFileName(file)}: {exec}");
            }
        }
    }

    [Fact]
    public void No_password_is_committed()
    {
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf("containers"), "*", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => !l.StartsWith(';') && !l.StartsWith('#'));
            Assert.DoesNotContain(lines, l => Regex.IsMatch(l, @"^(password|secret|api_secret)\s*[:=]\s*\S", RegexOptions.IgnoreCase));
        }
    }

    [Fact]
    public void Sip_over_tls_is_a_transport_on_5061_with_the_given_certificate_files_and_tls_12()
    {
        Assert.Contains("#exec /bin/sh /etc/asterisk/neolia-tls.sh", PjsipText.Split('\n').Select(l => l.Trim()));
        var unset = RunScript("neolia-tls.sh", "", new());
        Assert.Empty(AsteriskConfigFile.Parse(unset));
        Assert.StartsWith(";", unset.Trim());

        var printed = RunScript("neolia-tls.sh", "", new()
        {
            ["NEOLIA_TLS_CERT_FILE"] = "/etc/neolia/tls/fullchain.pem", ["NEOLIA_TLS_KEY_FILE"] = "/etc/neolia/tls/privkey.pem",
            ["NEOLIA_EXTERNAL_ADDRESS"] = "203.0.113.7",
        });
        var tls = Assert.Single(AsteriskConfigFile.Parse(printed));
        Assert.Equal("transport-tls", tls.Name);
        Assert.Equal(["transport", "tls", "0.0.0.0:5061", "/etc/neolia/tls/fullchain.pem", "/etc/neolia/tls/privkey.pem", "tlsv1_2"],
            new[] { tls.Single("type"), tls.Single("protocol"), tls.Single("bind"), tls.Single("cert_file"), tls.Single("priv_key_file"), tls.Single("method") });
        Assert.DoesNotContain("CBC", tls.Single("cipher"), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("203.0.113.7", tls.Single("external_signaling_address"));
        Assert.Contains("192.168.0.0/16", tls.Values["local_net"]);
        // The transport object each device's endpoint names (SipSecurity.TransportObject).
        Assert.Equal(tls.Name, Neolia.CallApi.SipAccounts.SipSecurity.TransportObject(Neolia.CallApi.SipAccounts.SipTransport.Tls));
        Assert.All(new[] { Neolia.CallApi.SipAccounts.SipTransport.Udp, Neolia.CallApi.SipAccounts.SipTransport.Tcp },
            t => Assert.Contains(Neolia.CallApi.SipAccounts.SipSecurity.TransportObject(t), Transports));

        var moved = AsteriskConfigFile.Parse(RunScript("neolia-tls.sh", "", new() { ["NEOLIA_TLS_CERT_FILE"] = "/c", ["NEOLIA_TLS_KEY_FILE"] = "/k", ["NEOLIA_TLS_SIP_PORT"] = "15061" }));
        Assert.Equal("0.0.0.0:15061", Assert.Single(moved).Single("bind"));
    }

    [Fact]
    public void Rtp_range_is_the_published_one()
    {
        var rtp = AsteriskConfigFile.Load("rtp.conf").Single(s => s.Name == "general");
        Assert.Equal("10000", rtp.Single("rtpstart"));
        Assert.Equal("10099", rtp.Single("rtpend"));
    }

    /// <summary>Runs containers/asterisk/neolia-nat.sh with only the given environment, as #exec would; its output lines.</summary>
    private static List<string> RunNatScript(string argument, Dictionary<string, string?> environment) =>
        RunScript("neolia-nat.sh", argument, environment).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();

    private static string RunScript(string script, string argument, Dictionary<string, string?> environment) => AsteriskScripts.Run(script, environment, argument);

}
