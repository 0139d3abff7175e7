using Microsoft.Extensions.Options;
using Neolia.Contracts;

namespace Neolia.Notifier.Push;

public static class PushFeature
{
    public const string FcmClient = "push-fcm";
    public const string ApnsClient = "push-apns";

    /// <summary>Push options (validated at start when a provider is configured), the FCM and APNs senders and their HTTP clients.</summary>
    public static IHostApplicationBuilder AddPush(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PushOptions>(PushOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<PushOptions>, PushOptionsValidator>();
        AddPushClient(builder.Services, FcmClient);
        AddPushClient(builder.Services, ApnsClient);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PushSenders>();
        builder.Services.AddSingleton<IPushSender>(sp => sp.GetRequiredService<PushSenders>());
        builder.Services.AddHostedService<PushDispatcher>();
        return builder;
    }

    private static void AddPushClient(IServiceCollection services, string name)
    {
        var client = services.AddHttpClient(name, ConfigureClient).ConfigurePrimaryHttpMessageHandler(() => NewHandler());
        // ServiceDefaults adds the standard resilience handler to every client; push must not have it: it would
        // re-POST pushes on its own, while the dispatcher already retries with a bounded, recorded backoff.
#pragma warning disable EXTEXP0001 // experimental, but the supported way to opt one client out of the defaults
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }

    private static void ConfigureClient(IServiceProvider sp, HttpClient client) =>
        client.Timeout = sp.GetRequiredService<IOptions<PushOptions>>().Value.RequestTimeout;

    /// <summary>APNs wants long-lived HTTP/2 connections; several are opened when one reaches its stream limit.</summary>
    private static SocketsHttpHandler NewHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionLifetime = TimeSpan.FromMinutes(30),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        KeepAlivePingDelay = TimeSpan.FromMinutes(1),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
    };

    private static void TryAddSingleton<T>(this IServiceCollection services, T instance) where T : class
    {
        if (!services.Any(d => d.ServiceType == typeof(T))) services.AddSingleton(instance);
    }
}

/// <summary>Routes a push to the provider of the token's platform; a provider that is not configured skips.</summary>
public sealed class PushSenders : IPushSender
{
    private readonly FcmSender? fcm;
    private readonly ApnsSender? apns;

    public PushSenders(IOptions<PushOptions> options, IHttpClientFactory clients, TimeProvider time, ILogger<PushSenders> logger)
    {
        var o = options.Value;
        if (o.Fcm.IsConfigured)
        {
            var account = FcmServiceAccount.Parse(o.Fcm.ServiceAccountJson!);
            var http = clients.CreateClient(PushFeature.FcmClient);
            fcm = new FcmSender(account, WithSlash(o.Fcm.BaseUrl), new FcmAccessTokens(account, http, time), http, time);
        }
        if (o.Apns.IsConfigured)
        {
            apns = new ApnsSender(new ApnsCredentials
            {
                TeamId = o.Apns.TeamId!,
                KeyId = o.Apns.KeyId!,
                PrivateKey = ApnsCredentials.ParseKey(o.Apns.PrivateKey!),
                BundleId = o.Apns.BundleId!,
                BaseUrl = WithSlash(o.Apns.ResolveBaseUrl().ToString()),
                ProviderTokenLifetime = o.Apns.ProviderTokenLifetime,
            }, clients.CreateClient(PushFeature.ApnsClient), time);
        }

        if (fcm is null && apns is null)
        {
            logger.LogWarning("Push notifications are disabled: neither Push:Fcm nor Push:Apns is configured. Calls still ring over WebSocket.");
        }
        else
        {
            logger.LogInformation("Push notifications enabled: FCM {Fcm}, APNs {Apns} ({Environment})",
                fcm is null ? "off" : "on", apns is null ? "off" : "on", o.Apns.IsConfigured ? o.Apns.ResolveBaseUrl().Host : "-");
        }
    }

    public bool IsEnabled => fcm is not null || apns is not null;

    public Task<PushResult> SendAsync(PushTarget target, CallPush push, CancellationToken ct) => target.Platform switch
    {
        PushPlatforms.Fcm => fcm?.SendAsync(target, push, ct) ?? Task.FromResult(PushResult.Skip("FCM is not configured")),
        PushPlatforms.ApnsVoip or PushPlatforms.Apns => apns?.SendAsync(target, push, ct) ?? Task.FromResult(PushResult.Skip("APNs is not configured")),
        _ => Task.FromResult(PushResult.Skip($"unknown push platform '{target.Platform}'")),
    };

    private static Uri WithSlash(string url) => new(url.EndsWith('/') ? url : url + "/");
}
