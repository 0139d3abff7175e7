namespace Neolia.CallApi.SipAccounts;

/// <summary>What a SIP account is for; each kind gets the settings its device needs (<see cref="SipAccountProfiles"/>).</summary>
public enum SipAccountKind
{
    /// <summary>A door intercom (Akuvox E12W) behind a building's NAT router: it calls.</summary>
    DoorIntercom,
    /// <summary>An indoor monitor in an apartment: it is rung.</summary>
    IndoorMonitor,
    /// <summary>A resident's app (WebRTC over the gateway's /sip WebSocket), on several phones and tablets at once.</summary>
    Softphone,
}

/// <summary>One SIP account as Asterisk must know it: its PJSIP endpoint, AOR and auth are all named <paramref name="Username"/>.</summary>
/// <param name="PasswordDigest">md5(username:realm:password), see <see cref="Devices.SipCredentials.Ha1"/>.</param>
/// <param name="DoorSiteId">A door's site: the dialplan's fallback looks the dialled apartment up in it.</param>
/// <param name="Transport">A door's or monitor's SIP transport (softphones: the WebSocket).</param>
/// <param name="MediaEncryption">A door's or monitor's media encryption (softphones: DTLS-SRTP).</param>
public sealed record SipAccount(string Username, SipAccountKind Kind, string TenantSlug, string DisplayName, string PasswordDigest, Guid? DoorSiteId = null,
    SipTransport Transport = SipTransport.Udp, SipMediaEncryption MediaEncryption = SipMediaEncryption.None);
