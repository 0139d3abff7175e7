using Neolia.CallApi.SipFallback;

namespace Neolia.CallApi.SipAccounts;

/// <summary>
/// The PJSIP settings of each account kind: the rows Asterisk reads for an account. Realtime rows cannot inherit
/// pjsip.conf templates, so this is where the kinds are defined (pjsip.conf keeps only the transports).
/// </summary>
public static class SipAccountProfiles
{
    /// <summary>The transport a softphone's calls go out on: SIP over WebSocket (pjsip.conf, behind the gateway's /sip).</summary>
    public const string WebSocketTransport = "transport-ws";

    /// <summary>
    /// Where the account's calls land in the dialplan (containers/asterisk/extensions.conf): every tenant's doors in
    /// <c>neolia-doors</c>, everything that is rung in <c>neolia-residents</c>. The tenant travels as the account's own
    /// <c>NEOLIA_TENANT</c> (set_var), so a tenant created through the API needs no dialplan of its own, and nothing of
    /// another tenant is reachable: CallApi and the fallback look only inside the door's tenant.
    /// </summary>
    public static string ContextOf(SipAccountKind kind, string tenantSlug) =>
        kind == SipAccountKind.DoorIntercom ? DoorContext : ResidentContext;

    public const string DoorContext = "neolia-doors";
    public const string ResidentContext = "neolia-residents";

    public static PsEndpoint Endpoint(SipAccount account)
    {
        var endpoint = new PsEndpoint { Id = account.Username };
        Apply(account, endpoint);
        return endpoint;
    }

    /// <summary>Sets every column Neolia owns, so an existing row ends up exactly as a new one would be.</summary>
    public static void Apply(SipAccount account, PsEndpoint e)
    {
        e.Aors = account.Username;
        e.Auth = account.Username;
        e.Context = ContextOf(account.Kind, account.TenantSlug);
        e.Callerid = $"\"{account.DisplayName.Replace('"', '\'')}\" <{account.Username}>";
        // The dialplan sends the tenant to CallApi (StasisBroadcast() over ARI); it comes from here, never from what the device says.
        e.SetVar = $"NEOLIA_TENANT={account.TenantSlug}";
        if (account.Kind == SipAccountKind.DoorIntercom)
        {
            // The fallback's key needs the door's site (apartment numbers are unique per site). res_config_pgsql splits a
            // column's value on ';' into one set_var each.
            var site = account.DoorSiteId ?? throw new ArgumentException("A door's SIP account needs its site.", nameof(account));
            e.SetVar += $";{ApartmentDial.SiteVariable}={site:D}";
            if (account.Transport == SipTransport.Tls) e.SetVar += $";{SipSecurity.RequireTlsVariable}=yes";
        }
        e.TenantId = account.TenantSlug;
        e.Disallow = "all";
        e.DtmfMode = PjsipDtmfMode.Rfc4733;
        // Media always flows through Asterisk: no device ever sees another's address.
        e.DirectMedia = AstBool.No;
        // NAT: answer where packets come from, not where the SIP headers claim.
        e.RtpSymmetric = AstBool.Yes;
        e.ForceRport = AstBool.Yes;
        e.RewriteContact = AstBool.Yes;
        e.AllowSubscribe = AstBool.No;
        e.SendRpid = AstBool.Yes;
        if (account.Kind == SipAccountKind.Softphone)
        {
            // webrtc=yes: AVPF, DTLS-SRTP (fingerprint-verified, certificate generated), ICE, rtcp-mux,
            // media over the transport the registration came in on.
            e.Transport = WebSocketTransport;
            e.Webrtc = AstBool.Yes;
            e.MediaEncryption = null; // dtls, from webrtc=yes
            e.DtlsAutoGenerateCert = AstBool.Yes;
            e.Allow = "opus,g722,ulaw,alaw";
            e.RtpKeepalive = null;
            e.RtpTimeout = null;
        }
        else
        {
            // What Akuvox doors and monitors speak, video included: SIP over the transport chosen for the device (TLS
            // across the internet), its media plain or SRTP (SDES: refuses a plain RTP offer).
            e.Transport = SipSecurity.TransportObject(account.Transport);
            e.MediaEncryption = account.MediaEncryption == SipMediaEncryption.Sdes ? PjsipMediaEncryption.Sdes : PjsipMediaEncryption.No;
            e.Webrtc = AstBool.No;
            e.DtlsAutoGenerateCert = null;
            e.Allow = "g722,ulaw,alaw,h264";
            // Keep the router's UDP mapping open while nobody talks; hang up a call whose media died.
            e.RtpKeepalive = 15;
            e.RtpTimeout = 60;
        }
    }

    public static PsAor Aor(SipAccount account)
    {
        var aor = new PsAor { Id = account.Username };
        Apply(account, aor);
        return aor;
    }

    public static void Apply(SipAccount account, PsAor aor)
    {
        // A door or monitor is one box: its new registration replaces the old. A resident rings on phone and tablet.
        aor.MaxContacts = account.Kind == SipAccountKind.Softphone ? 5 : 1;
        aor.RemoveExisting = AstBool.Yes;
        aor.QualifyFrequency = 30;
    }

    public static PsAuth Auth(SipAccount account, string realm) =>
        new() { Id = account.Username, Username = account.Username, Realm = realm, Md5Cred = account.PasswordDigest };
}
