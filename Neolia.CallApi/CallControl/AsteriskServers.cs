using Microsoft.Extensions.Options;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// One Asterisk this replica controls calls on (an item of <see cref="CallControlOptions.Asterisks"/>): its ARI
/// client (a new one per use over the factory's handler, which rotates), whether its event stream is connected, and
/// the one rule for a command whose failure must not stop the call's other steps: logged, not thrown.
/// </summary>
internal sealed class AsteriskServer(AsteriskServerOptions options, string application, IHttpClientFactory http, ILogger logger)
{
    private volatile bool _connected;

    public string Name { get; } = options.Name!;
    public AsteriskServerOptions Options { get; } = options;

    public AriClient Client => new(http.CreateClient(AriClient.HttpClientName), Options, application);

    /// <summary>True while this replica's event stream to it is open (and its system name was checked): only then does it offer calls here.</summary>
    public bool Connected { get => _connected; set => _connected = value; }

    /// <returns>False when the command failed (logged).</returns>
    public async Task<bool> TryAsync(Func<AriClient, Task> command, string what)
    {
        try
        {
            await command(Client);
            return true;
        }
        catch (Exception e) when (IsAriFailure(e))
        {
            logger.LogWarning("Could not {What} on Asterisk {Asterisk}: {Error}", what, Name, e.Message);
            return false;
        }
    }

    public static bool IsAriFailure(Exception e) => e is AriException or HttpRequestException or TaskCanceledException;

    public override string ToString() => Name;
}

/// <summary>The Asterisk servers of <see cref="CallControlOptions.Asterisks"/>, in their configured order.</summary>
internal sealed class AsteriskServers(IOptions<CallControlOptions> options, IHttpClientFactory http, ILogger<AsteriskServer> logger)
{
    private readonly IReadOnlyList<AsteriskServer> _all =
        options.Value.Asterisks.Select(a => new AsteriskServer(a, options.Value.Application, http, logger)).ToList();

    public IReadOnlyList<AsteriskServer> All => _all;

    /// <summary>The Asterisk of this name, or, for a name no longer configured (or a call recorded before names were), the only one when there is one.</summary>
    public AsteriskServer? Named(string? name) =>
        _all.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)) ?? (_all.Count == 1 && string.IsNullOrEmpty(name) ? _all[0] : null);
}
