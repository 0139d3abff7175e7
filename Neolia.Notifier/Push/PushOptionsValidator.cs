using Microsoft.Extensions.Options;

namespace Neolia.Notifier.Push;

/// <summary>Checks a provider only when it is configured; every message names the key to fix and never echoes a secret.</summary>
internal sealed class PushOptionsValidator : IValidateOptions<PushOptions>
{
    public ValidateOptionsResult Validate(string? name, PushOptions options)
    {
        var failures = new List<string>();

        if (options.Fcm.IsConfigured)
        {
            try
            {
                FcmServiceAccount.Parse(options.Fcm.ServiceAccountJson!).PrivateKey.Dispose();
            }
            catch (FormatException e)
            {
                failures.Add($"Push:Fcm:ServiceAccountJson is not a usable Google service-account key: {e.Message}.");
            }
            RequireHttps(failures, options.Fcm.BaseUrl, "Push:Fcm:BaseUrl");
        }

        var apns = options.Apns;
        if (apns.IsConfigured)
        {
            if (string.IsNullOrWhiteSpace(apns.TeamId)) failures.Add("Push:Apns:TeamId is required when APNs is configured (the Apple developer team id).");
            if (string.IsNullOrWhiteSpace(apns.KeyId)) failures.Add("Push:Apns:KeyId is required when APNs is configured (the id of the .p8 auth key).");
            if (string.IsNullOrWhiteSpace(apns.BundleId)) failures.Add("Push:Apns:BundleId is required when APNs is configured.");
            else if (apns.BundleId.EndsWith(".voip", StringComparison.Ordinal)) failures.Add("Push:Apns:BundleId must be the app's bundle id, without '.voip'.");
            if (string.IsNullOrWhiteSpace(apns.PrivateKey)) failures.Add("Push:Apns:PrivateKey is required when APNs is configured (the .p8 key's PEM text).");
            else
            {
                try
                {
                    ApnsCredentials.ParseKey(apns.PrivateKey).Dispose();
                }
                catch (FormatException e)
                {
                    failures.Add($"Push:Apns:PrivateKey is not usable: {e.Message}.");
                }
            }
            if (!string.Equals(apns.Environment, ApnsOptions.Sandbox, StringComparison.OrdinalIgnoreCase) &&
                !string.Equals(apns.Environment, ApnsOptions.Production, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add("Push:Apns:Environment must be 'sandbox' or 'production'.");
            }
            if (!string.IsNullOrWhiteSpace(apns.BaseUrl)) RequireHttps(failures, apns.BaseUrl, "Push:Apns:BaseUrl");
            if (apns.ProviderTokenLifetime < TimeSpan.FromMinutes(20) || apns.ProviderTokenLifetime > TimeSpan.FromMinutes(59))
            {
                failures.Add("Push:Apns:ProviderTokenLifetime must be between 00:20:00 and 00:59:00 (Apple's limits).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequireHttps(List<string> failures, string? value, string key)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            failures.Add($"{key} must be an absolute https URL.");
    }
}
