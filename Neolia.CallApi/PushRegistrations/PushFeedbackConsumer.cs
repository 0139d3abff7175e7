using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.Contracts;
using StackExchange.Redis;

namespace Neolia.CallApi.PushRegistrations;

/// <summary>
/// Deletes the registrations whose tokens the Notifier found dead (FCM UNREGISTERED, APNs 410 / BadDeviceToken),
/// reading <see cref="PushFeedbackStream"/> through a consumer group so that several CallApi replicas share the work.
/// </summary>
public sealed class PushFeedbackConsumer(IConnectionMultiplexer redis, IDbContextFactory<NeoliaDb> dbs, ILogger<PushFeedbackConsumer> logger) : BackgroundService
{
    public const string Group = "callapi-push-feedback";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);
    private readonly string consumer = $"{Environment.MachineName}-{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var groupReady = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var db = redis.GetDatabase();
                if (!groupReady) groupReady = await EnsureGroupAsync(db);
                // Own pending entries first (a crash between delete and ack), then new ones.
                var entries = await db.StreamReadGroupAsync(PushFeedbackStream.Key, Group, consumer, "0-0", 64);
                if (entries.Length == 0) entries = await db.StreamReadGroupAsync(PushFeedbackStream.Key, Group, consumer, ">", 64);
                foreach (var entry in entries)
                {
                    if (Guid.TryParse(entry[PushFeedbackStream.RegistrationIdField].ToString(), out var id))
                    {
                        string token = entry[PushFeedbackStream.TokenField].ToString();
                        await using var context = await dbs.CreateDbContextAsync(stoppingToken);
                        context.TenantScope = TenantScope.All;
                        var deleted = await context.Set<PushRegistration>().Where(r => r.Id == id && r.Token == token).ExecuteDeleteAsync(stoppingToken);
                        logger.LogInformation("Push registration {RegistrationId} {Outcome}: {Reason}", id,
                            deleted > 0 ? "deleted" : "already gone or re-registered", entry[PushFeedbackStream.ReasonField].ToString());
                    }
                    await db.StreamAcknowledgeAsync(PushFeedbackStream.Key, Group, entry.Id);
                }
                if (entries.Length == 0) await Task.Delay(Poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException or DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException)
            {
                logger.LogWarning("Push feedback not processed ({Message}); retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task<bool> EnsureGroupAsync(IDatabase db)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(PushFeedbackStream.Key, Group, "0-0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
        {
        }
        return true;
    }
}
