using System.Text.RegularExpressions;
using Neolia.CallApi.Seed;

namespace Neolia.Tests.Asterisk;

/// <summary>containers/asterisk/pjsip.conf and its companions agree with the seed and keep secrets out.</summary>
public sealed partial class PjsipConfigTests
{
    private static readonly string Pjsip = RepositoryFiles.Read("containers", "asterisk", "pjsip.conf");

    /// <summary>Sections (name, template arguments, options) of an Asterisk configuration file.</summary>
    private static IEnumerable<(string Name, string Options, Dictionary<string, List<string>> Values)> Sections(string text)
    {
        (string Name, string Options, Dictionary<string, List<string>> Values)? current = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split(';')[0].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var header = SectionHeader().Match(line);
            if (header.Success)
            {
                if (current is { } done) yield return done;
                current = (header.Groups[1].Value, header.Groups[2].Value, new Dictionary<string, List<string>>());
                continue;
            }
            var equals = line.IndexOf('=');
            if (equals > 0 && current is { } section)
            {
                var key = line[..equals].Trim();
                if (!section.Values.TryGetValue(key, out var values)) section.Values[key] = values = [];
                values.Add(line[(equals + 1)..].Trim().TrimStart('>').Trim());
            }
        }
        if (current is { } last) yield return last;
    }

    private static List<string> Endpoints() => Sections(Pjsip)
        .Where(s => !s.Options.Contains('!') && (s.Options.Contains("endpoint") || s.Values.GetValueOrDefault("type")?.Contains("endpoint") == true))
        .Select(s => s.Name)
        .ToList();

    [Fact]
    public void Demo_accounts_are_those_of_the_development_seed()
    {
        var seeded = DevelopmentSeed.People.Select(p => p.Sip).OfType<string>().Append(DevelopmentSeed.DoorSipUsername).Order();
        Assert.Equal(seeded, Endpoints().Order());
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
    public void The_password_script_covers_every_account()
    {
        var script = RepositoryFiles.Read("containers", "asterisk", "neolia-pjsip.sh");
        var accounts = AccountList().Match(script).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(Endpoints().Order(), accounts.Order());
        Assert.All(Sections(Pjsip).Where(s => Endpoints().Contains(s.Name) && s.Options.Contains("endpoint")),
            s => Assert.Equal(s.Name, Assert.Single(s.Values["auth"])));
    }

    [Fact]
    public void Every_endpoint_lands_in_a_context_of_the_dialplan()
    {
        var contexts = Dialplan.Load().Steps.Select(s => s.Context).ToHashSet();
        foreach (var (name, options, values) in Sections(Pjsip).Where(s => s.Options.Contains("endpoint") && !s.Options.Contains('!')))
        {
            Assert.True(values.TryGetValue("context", out var context), $"{name} has no context");
            Assert.Contains(Assert.Single(context), contexts);
            Assert.Contains($"NEOLIA_TENANT={DevelopmentSeed.TenantSlug}", values["set_var"]);
        }
    }

    [Fact]
    public void Door_template_has_the_nat_settings()
    {
        var door = Sections(Pjsip).Single(s => s.Name == "door-endpoint").Values;
        Assert.Equal("yes", door["rtp_symmetric"].Single());
        Assert.Equal("yes", door["force_rport"].Single());
        Assert.Equal("yes", door["rewrite_contact"].Single());
        Assert.Equal("no", door["direct_media"].Single());
        Assert.True(int.Parse(door["rtp_keepalive"].Single()) > 0);
        Assert.Equal("yes", Sections(Pjsip).Single(s => s.Name == "app-endpoint").Values["webrtc"].Single());
    }

    [Fact]
    public void Fallback_rings_the_seeded_residents_of_each_apartment()
    {
        var fallback = Dialplan.Load().InContext($"tenant-{DevelopmentSeed.TenantSlug}-apartments")
            .ToDictionary(s => s.Extension, s => s.Arguments.Split('&').Order().ToList());
        var seeded = DevelopmentSeed.People.Where(p => p.Apartment is not null && p.Sip is not null)
            .GroupBy(p => p.Apartment!)
            .ToDictionary(g => g.Key, g => g.Select(p => $"PJSIP/{p.Sip}").Order().ToList());

        Assert.Equal(seeded.Keys.Order(), fallback.Keys.Order());
        foreach (var (apartment, endpoints) in seeded) Assert.Equal(endpoints, fallback[apartment]);
    }

    [Fact]
    public void Rtp_range_is_the_published_one()
    {
        var rtp = Sections(RepositoryFiles.Read("containers", "asterisk", "rtp.conf")).Single(s => s.Name == "general").Values;
        Assert.Equal("10000", rtp["rtpstart"].Single());
        Assert.Equal("10099", rtp["rtpend"].Single());
    }

    [GeneratedRegex(@"^\[([^\]]+)\](?:\(([^)]*)\))?$")]
    private static partial Regex SectionHeader();

    [GeneratedRegex("DEMO_ACCOUNTS=\"([^\"]*)\"")]
    private static partial Regex AccountList();
}
