using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Asterisk;

namespace Neolia.Tests.Asterisk;

public sealed class WebhookAdmissionTests
{
    private static WebhookAdmission Admission(int concurrent, int queue, TimeSpan queueTimeout)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new WebhookAdmission(Options.Create(new AsteriskOptions
        {
            WebhookSecret = "0123456789abcdef",
            MaxConcurrentWebhooks = concurrent,
            WebhookQueueLimit = queue,
            WebhookQueueTimeout = queueTimeout,
        }), meters);
    }

    [Fact]
    public async Task Past_the_limit_and_the_queue_a_webhook_is_refused_at_once()
    {
        using var admission = Admission(concurrent: 1, queue: 0, TimeSpan.FromSeconds(1));
        using var first = await admission.EnterAsync(CancellationToken.None);
        Assert.NotNull(first);

        var started = DateTime.UtcNow;
        Assert.Null(await admission.EnterAsync(CancellationToken.None));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_queued_webhook_is_refused_when_no_slot_frees_within_the_queue_timeout()
    {
        using var admission = Admission(concurrent: 1, queue: 1, TimeSpan.FromMilliseconds(100));
        using var first = await admission.EnterAsync(CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await admission.EnterAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_queued_webhook_is_admitted_when_a_slot_frees()
    {
        using var admission = Admission(concurrent: 1, queue: 1, TimeSpan.FromSeconds(3));
        var first = await admission.EnterAsync(CancellationToken.None);
        Assert.NotNull(first);

        var waiting = admission.EnterAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        first!.Dispose();
        using var second = await waiting;
        Assert.NotNull(second);
    }
}
