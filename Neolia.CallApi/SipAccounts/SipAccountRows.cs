using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// Keeps Asterisk's realtime rows (<c>ps_endpoints</c>, <c>ps_aors</c>, <c>ps_auths</c>, <c>ps_contacts</c>) equal to
/// the accounts CallApi holds. Changes are tracked on the caller's context and saved by its <c>SaveChangesAsync</c>,
/// in the same transaction as the device or resident change: Asterisk never sees one without the other.
/// </summary>
public sealed class SipAccountRows(SipCredentials sip)
{
    /// <summary>Creates or updates the account's rows (an inactive account should be <see cref="RemoveAsync"/>d instead).</summary>
    public async Task WriteAsync(NeoliaDb db, SipAccount account, CancellationToken ct)
    {
        var endpoint = await db.Set<PsEndpoint>().FindAsync([account.Username], ct);
        if (endpoint is null) db.Add(SipAccountProfiles.Endpoint(account));
        else SipAccountProfiles.Apply(account, endpoint);

        var aor = await db.Set<PsAor>().FindAsync([account.Username], ct);
        if (aor is null) db.Add(SipAccountProfiles.Aor(account));
        else SipAccountProfiles.Apply(account, aor);

        var auth = await db.Set<PsAuth>().FindAsync([account.Username], ct);
        var wanted = SipAccountProfiles.Auth(account, sip.Realm);
        if (auth is null) db.Add(wanted);
        else db.Entry(auth).CurrentValues.SetValues(wanted);
    }

    /// <summary>Removes the account from Asterisk, registrations included: the device is unregistered at once.</summary>
    public async Task RemoveAsync(NeoliaDb db, string username, CancellationToken ct)
    {
        if (await db.Set<PsEndpoint>().FindAsync([username], ct) is { } endpoint) db.Remove(endpoint);
        if (await db.Set<PsAor>().FindAsync([username], ct) is { } aor) db.Remove(aor);
        if (await db.Set<PsAuth>().FindAsync([username], ct) is { } auth) db.Remove(auth);
        await DropRegistrationsAsync(db, username, ct);
    }

    /// <summary>Forgets where the account is registered: Asterisk stops ringing it until it registers again.</summary>
    public async Task DropRegistrationsAsync(NeoliaDb db, string username, CancellationToken ct) =>
        db.RemoveRange(await db.Set<PsContact>().Where(c => c.Endpoint == username).ToListAsync(ct));

    /// <summary>Writes the rows of an active account, removes those of an inactive one.</summary>
    public Task SyncAsync(NeoliaDb db, SipAccount account, bool active, CancellationToken ct) =>
        active ? WriteAsync(db, account, ct) : RemoveAsync(db, account.Username, ct);

    /// <summary>Whether the account is registered now, and since when (from what Asterisk wrote in <c>ps_contacts</c>).</summary>
    public static async Task<SipRegistration> RegistrationOfAsync(NeoliaDb db, string username, DateTimeOffset now, CancellationToken ct)
    {
        var nowSeconds = now.ToUnixTimeSeconds();
        var contacts = await db.Set<PsContact>().AsNoTracking()
            .Where(c => c.Endpoint == username && c.ExpirationTime > nowSeconds)
            .OrderBy(c => c.RegisteredAt)
            .Select(c => new { c.RegisteredAt, c.ExpirationTime, c.UserAgent, c.ViaAddr, c.ViaPort })
            .ToListAsync(ct);
        if (contacts.Count == 0) return SipRegistration.None;
        var latest = contacts[^1];
        return new SipRegistration(true, contacts[0].RegisteredAt, DateTimeOffset.FromUnixTimeSeconds(contacts.Max(c => c.ExpirationTime!.Value)),
            contacts.Count, latest.UserAgent is { Length: > 0 } ua ? ua : null,
            latest.ViaAddr is { Length: > 0 } addr ? $"{addr}:{latest.ViaPort}" : null);
    }
}

/// <param name="Registered">At least one registration that has not expired.</param>
/// <param name="Since">When the oldest current registration was made.</param>
/// <param name="ExpiresAt">When the last one runs out unless the device refreshes it.</param>
/// <param name="Address">Where the device's SIP packets come from (its router, behind NAT).</param>
public sealed record SipRegistration(bool Registered, DateTimeOffset? Since, DateTimeOffset? ExpiresAt, int Contacts, string? UserAgent, string? Address)
{
    public static readonly SipRegistration None = new(false, null, null, 0, null, null);
}
