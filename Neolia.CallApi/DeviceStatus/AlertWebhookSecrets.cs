using Microsoft.AspNetCore.DataProtection;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>The tenants' webhook signing secrets, encrypted at rest with the platform's Data Protection key ring.</summary>
public sealed class AlertWebhookSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Neolia.DeviceStatus.AlertWebhookSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
