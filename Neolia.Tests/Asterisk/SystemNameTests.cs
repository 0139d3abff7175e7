using System.ComponentModel.DataAnnotations;
using Neolia.CallApi.CallControl;

namespace Neolia.Tests.Asterisk;

/// <summary>
/// containers/asterisk/asterisk.conf names its Asterisk (systemname) as CallApi knows it: the AppHost gives CallApi
/// CallControl:Asterisks:0:Name = asterisk (ManifestTests), and CallApi refuses an Asterisk whose system name is another.
/// The names of CallControl:Asterisks are checked when CallApi starts.
/// </summary>
public sealed class SystemNameTests
{
    [Fact]
    public void The_shipped_Asterisk_is_named_as_the_AppHost_tells_CallApi()
    {
        var options = AsteriskConfigFile.Load("asterisk.conf").Single(s => s.Name == "options");
        Assert.Equal("asterisk", options.Single("systemname"));
        Assert.Empty(Errors(Server(options.Single("systemname"))));
    }

    [Theory]
    [InlineData(null, "Name is required")]
    [InlineData("two words", "Name is required")]
    [InlineData("ast-a", null)]
    public void An_Asterisk_needs_a_name_Asterisk_can_carry_as_its_systemname(string? name, string? error)
    {
        var errors = Errors(Server(name));
        if (error is null) Assert.Empty(errors);
        else Assert.Contains(errors, e => e.Contains("CallControl:Asterisks:0:" + error, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_Asterisks_with_one_name_are_refused()
    {
        var errors = Errors(Server("ast-a"), Server("AST-A"));
        Assert.Contains(errors, e => e.Contains("has the name 'ast-a' more than once", StringComparison.Ordinal));
    }

    private static AsteriskServerOptions Server(string? name) =>
        new() { Name = name, AriUrl = "http://asterisk:8088", AriUsername = "neolia", AriPassword = "a-password-of-16-chars" };

    private static List<string> Errors(params AsteriskServerOptions[] servers)
    {
        var options = new CallControlOptions { Asterisks = [.. servers] };
        return options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage!).ToList();
    }
}
