using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.SipAccounts;

/// <summary>A resident's softphone account: given at creation, in Asterisk while the resident is active.</summary>
public sealed class SoftphoneAccounts(SipAccountRows rows, SoftphonePasswords passwords, SipCredentials sip)
{
    /// <summary>
    /// Gives the user a softphone account (a generated username and password unless given) and tracks its Asterisk
    /// rows on <paramref name="db"/>, so the save that creates the user creates the account.
    /// </summary>
    public async Task AssignAsync(NeoliaDb db, User user, string tenantSlug, CancellationToken ct, string? username = null, string? password = null)
    {
        user.SipUsername = username ?? SipCredentials.NewUsername(tenantSlug, SipAccountKind.Softphone);
        password ??= SipCredentials.NewPassword();
        user.SipPasswordProtected = passwords.Protect(password);
        await rows.WriteAsync(db, AccountOf(user, tenantSlug, password), ct);
    }

    /// <summary>Asterisk's rows for the user as the user is now: written while active, removed when deactivated.</summary>
    public async Task SyncAsync(NeoliaDb db, User user, CancellationToken ct)
    {
        if (user.SipUsername is null || user.SipPasswordProtected is null || user.TenantId is not { } tenantId) return;
        if (!user.IsActive)
        {
            await rows.RemoveAsync(db, user.SipUsername, ct);
            return;
        }
        var slug = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Slug).SingleAsync(ct);
        await rows.WriteAsync(db, AccountOf(user, slug, passwords.Unprotect(user.SipPasswordProtected)), ct);
    }

    private SipAccount AccountOf(User user, string tenantSlug, string password) =>
        new(user.SipUsername!, SipAccountKind.Softphone, tenantSlug, user.DisplayName, sip.Ha1(user.SipUsername!, password));
}
