using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>
/// Posts the alerts to the tenants' webhooks. A delivery is due at <see cref="AlertDelivery.NextAttemptAt"/>; a
/// replica takes due ones by moving that time past its own attempt (<c>FOR UPDATE SKIP LOCKED</c>), so each attempt is
/// made once, and a replica dying mid-attempt only delays it. A failed attempt is retried after
/// <see cref="DeviceStatusOptions.WebhookRetryDelay"/>, doubled each time, until
/// <see cref="DeviceStatusOptions.WebhookMaxAttempts"/>: then the delivery is <c>failed</c>, as the console shows.
/// </summary>
public sealed class AlertWebhookSender(IDbContextFactory<NeoliaDb> databases, IHttpClientFactory clients, AlertWebhookSecrets secrets,
    IOptions<DeviceStatusOptions> options, TimeProvider time, ILogger<AlertWebhookSender> logger) : BackgroundService
{
    public const string HttpClientName = "alert-webhooks";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>An alert was just raised: send it now rather than at the next tick.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0) { }
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (failures++ % 60 == 0) logger.LogWarning("Could not send the alert webhooks ({Error}); retrying every {Interval}", e.Message, Interval);
            }
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            tick.CancelAfter(Interval);
            try { await _wake.Reader.ReadAsync(tick.Token); }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <returns>How many deliveries were attempted.</returns>
    private async Task<int> SendDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        List<AlertDelivery> taken;
        await using (var db = await databases.CreateDbContextAsync(ct))
        {
            var lease = now + o.WebhookTimeout + TimeSpan.FromSeconds(5);
            taken = await db.Set<AlertDelivery>().FromSql($"""
                UPDATE "AlertDeliveries" SET "NextAttemptAt" = {lease}
                WHERE "Id" IN (SELECT "Id" FROM "AlertDeliveries" WHERE "State" = {DeliveryStates.Pending} AND "NextAttemptAt" <= {now}
                               ORDER BY "NextAttemptAt" LIMIT 20 FOR UPDATE SKIP LOCKED)
                RETURNING *
                """).AsNoTracking().IgnoreQueryFilters().ToListAsync(ct);
        }
        foreach (var delivery in taken) await AttemptAsync(delivery, o, ct);
        return taken.Count;
    }

    private async Task AttemptAsync(AlertDelivery delivery, DeviceStatusOptions o, CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        db.TenantScope = TenantScope.All;
        var target = await db.Set<AlertWebhook>().AsNoTracking().SingleOrDefaultAsync(w => w.TenantId == delivery.TenantId, ct);
        var payload = await AlertPayload.OfAsync(db, delivery.AlertId, ct);
        int? status = null;
        string? error = null;
        if (target is null || !target.IsEnabled || payload is null)
        {
            error = "The tenant's webhook was removed or turned off.";
        }
        else
        {
            try
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(payload, AlertJson.Default.AlertPayload);
                var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
                using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString());
                request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secrets.Unprotect(target.SecretProtected), timestamp, body));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(o.WebhookTimeout);
                using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode) error = $"The receiver answered {status}.";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = e is TaskCanceledException ? $"No answer within {o.WebhookTimeout.TotalSeconds:0} s." : $"Could not reach the receiver: {e.Message}";
            }
        }

        var now = time.GetUtcNow();
        var attempts = delivery.Attempts + 1;
        var delivered = error is null;
        var givenUp = !delivered && (attempts >= o.WebhookMaxAttempts || target is null || !target.IsEnabled || payload is null);
        var retryIn = TimeSpan.FromTicks(Math.Min(o.WebhookMaxRetryDelay.Ticks, o.WebhookRetryDelay.Ticks * (1L << Math.Min(attempts - 1, 30))));
        await db.Set<AlertDelivery>().Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.State, delivered ? DeliveryStates.Delivered : givenUp ? DeliveryStates.Failed : DeliveryStates.Pending)
            .SetProperty(d => d.Attempts, attempts)
            .SetProperty(d => d.LastAttemptAt, now)
            .SetProperty(d => d.LastStatusCode, status)
            .SetProperty(d => d.LastError, error)
            .SetProperty(d => d.DeliveredAt, delivered ? now : null)
            .SetProperty(d => d.NextAttemptAt, now + retryIn), ct);
        if (delivered) logger.LogInformation("Alert {AlertId} delivered to tenant {TenantId}'s webhook (attempt {Attempt})", delivery.AlertId, delivery.TenantId, attempts);
        else logger.LogWarning("Alert {AlertId} not delivered to tenant {TenantId}'s webhook (attempt {Attempt}): {Error}{Next}", delivery.AlertId, delivery.TenantId,
            attempts, error, givenUp ? "; given up" : $"; next attempt in {retryIn.TotalSeconds:0} s");
    }
}
