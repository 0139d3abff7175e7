namespace Neolia.CallApi.CallControl;

/// <summary>
/// The ARI client for the call control's singletons (a typed HttpClient is resolved per use, so its handler
/// rotates), and the one rule for a command whose failure must not stop the call's other steps: logged, not thrown.
/// </summary>
internal sealed class AriCommands(IServiceProvider services, ILogger<AriCommands> logger)
{
    public AriClient Client => services.GetRequiredService<AriClient>();

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
            logger.LogWarning("Could not {What}: {Error}", what, e.Message);
            return false;
        }
    }

    public static bool IsAriFailure(Exception e) => e is AriException or HttpRequestException or TaskCanceledException;
}
