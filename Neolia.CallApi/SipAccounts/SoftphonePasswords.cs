using Microsoft.AspNetCore.DataProtection;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// A resident's softphone password, encrypted with Data Protection: unlike a door's (typed once into the device), the
/// app fetches it again on every phone the resident signs in on, so it must be recoverable. Asterisk gets its digest.
/// </summary>
public sealed class SoftphonePasswords(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Neolia.SipAccounts.Softphone.v1");

    public string Protect(string password) => _protector.Protect(password);

    public string Unprotect(string protectedPassword) => _protector.Unprotect(protectedPassword);
}
