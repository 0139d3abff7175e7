using Microsoft.Extensions.Configuration;

namespace Neolia.AppHost;

public static class PushCredentials
{
    /// <summary>
    /// Push notifications are optional. A declared parameter must get a value (the dashboard prompts for it and holds
    /// the Notifier back; a test or a run without the dashboard fails), so the push parameters are declared only when
    /// their configuration key is set (user secrets Parameters:push-…). Without them the Notifier logs once that push
    /// is disabled and calls still ring over WebSocket. A partial APNs set declares the whole set, so the missing ones
    /// are asked for by name.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPushCredentials(this IResourceBuilder<ProjectResource> notifier, IDistributedApplicationBuilder builder)
    {
        bool IsConfigured(string parameter) => !string.IsNullOrWhiteSpace(builder.Configuration[$"Parameters:{parameter}"]);

        if (IsConfigured("push-fcm-service-account"))
        {
            var fcmServiceAccount = builder.AddParameter("push-fcm-service-account", secret: true)
                .WithDescription("The JSON of a Firebase service-account key (FCM HTTP v1); project id and token URI are read from it.");
            notifier.WithEnvironment("Push__Fcm__ServiceAccountJson", fcmServiceAccount);
        }

        string[] apnsParameters = ["push-apns-team-id", "push-apns-key-id", "push-apns-private-key", "push-apns-bundle-id"];
        if (apnsParameters.Any(IsConfigured))
        {
            var apnsTeamId = builder.AddParameter("push-apns-team-id").WithDescription("Apple developer team id (10 characters).");
            var apnsKeyId = builder.AddParameter("push-apns-key-id").WithDescription("Id of the APNs auth key (.p8).");
            var apnsPrivateKey = builder.AddParameter("push-apns-private-key", secret: true).WithDescription("The APNs auth key's PEM text (the whole .p8 file).");
            var apnsBundleId = builder.AddParameter("push-apns-bundle-id").WithDescription("The iOS app's bundle id; VoIP pushes go to <bundle id>.voip.");
            notifier
                .WithEnvironment("Push__Apns__TeamId", apnsTeamId)
                .WithEnvironment("Push__Apns__KeyId", apnsKeyId)
                .WithEnvironment("Push__Apns__PrivateKey", apnsPrivateKey)
                .WithEnvironment("Push__Apns__BundleId", apnsBundleId);
            if (IsConfigured("push-apns-environment"))
            {
                var apnsEnvironment = builder.AddParameter("push-apns-environment")
                    .WithDescription("sandbox (development builds) or production (TestFlight, App Store; the default).");
                notifier.WithEnvironment("Push__Apns__Environment", apnsEnvironment);
            }
        }
        return notifier;
    }
}
