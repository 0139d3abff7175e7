namespace Neolia.CallApi.SipAccounts;

/// <summary>How a door or monitor carries its SIP signalling; each is a transport of containers/asterisk/pjsip.conf.</summary>
public enum SipTransport
{
    Udp,
    Tcp,
    /// <summary>SIP over TLS on 5061 (<c>transport-tls</c>), with the gateway's certificate.</summary>
    Tls,
}

/// <summary>How a door or monitor encrypts its audio and video (softphones always use DTLS-SRTP, as WebRTC requires).</summary>
public enum SipMediaEncryption
{
    /// <summary>Plain RTP.</summary>
    None,
    /// <summary>SRTP keyed by SDES (<c>a=crypto</c> in the SDP, RFC 4568): plain RTP offers are refused.</summary>
    Sdes,
}

/// <summary>The API's and Asterisk's names of the choices above.</summary>
public static class SipSecurity
{
    public const string Udp = "udp", Tcp = "tcp", Tls = "tls", None = "none", Sdes = "sdes";

    public static string Name(SipTransport transport) => transport switch { SipTransport.Tcp => Tcp, SipTransport.Tls => Tls, _ => Udp };
    public static SipTransport Transport(string name) => name switch { Tcp => SipTransport.Tcp, Tls => SipTransport.Tls, _ => SipTransport.Udp };
    public static string Name(SipMediaEncryption encryption) => encryption == SipMediaEncryption.Sdes ? Sdes : None;
    public static SipMediaEncryption MediaEncryption(string name) => name == Sdes ? SipMediaEncryption.Sdes : SipMediaEncryption.None;

    /// <summary>
    /// The channel variable (set_var) of a door set to TLS: the dialplan refuses its call when the signalling did not come
    /// over a secure transport (<c>CHANNEL(pjsip,secure)</c>). An endpoint's <c>transport</c> is only what Asterisk sends
    /// on: without this the same account registers and calls over UDP, SDES keys in the clear.
    /// </summary>
    public const string RequireTlsVariable = "NEOLIA_REQUIRE_TLS";

    /// <summary>The pjsip.conf transport object Asterisk sends the device's requests on.</summary>
    public static string TransportObject(SipTransport transport) => $"transport-{Name(transport)}";
}
