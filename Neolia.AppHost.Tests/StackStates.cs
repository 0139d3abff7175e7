using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace Neolia.AppHost.Tests;

/// <summary>
/// The AppHost's resources a test stack waits for, and their state for a failure message. Shared as source with
/// Neolia.Tests' AppHostStack (linked in its project), which starts the same model.
/// </summary>
public static class StackStates
{
    public static readonly string[] Resources = ["postgres", "neolia", "redis", "callapi", "notifier", "gateway", "mediarelay", "adminconsole"];

    /// <summary>The state and health of every resource.</summary>
    public static async Task<string> DescribeAsync(DistributedApplication app)
    {
        var text = new StringBuilder();
        foreach (var name in Resources)
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                var e = await app.ResourceNotifications.WaitForResourceAsync(name, _ => true, quick.Token);
                text.AppendLine($"{name}: {e.Snapshot.State?.Text} health={e.Snapshot.HealthStatus} " +
                    string.Join(", ", e.Snapshot.HealthReports.Select(r => $"{r.Name}={r.Status} {r.ExceptionText?.Split('\n')[0]}")));
            }
            catch (OperationCanceledException)
            {
                text.AppendLine($"{name}: no state");
            }
        }
        return text.ToString();
    }
}
