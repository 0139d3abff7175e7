using Microsoft.Extensions.Configuration;

namespace Neolia.AppHost;

/// <summary>
/// The host ports of the media and SIP endpoints, which cannot be proxied (UDP) and so are fixed. Configurable
/// (section <c>Neolia</c>) so a test, or a second stack on the same machine, can move them.
/// </summary>
/// <param name="Sip">Host port of SIP over UDP and TCP (doors register here); container port 5060.</param>
/// <param name="SipTls">Host port of SIP over TLS (doors set to TLS register here); container port 5061.</param>
/// <param name="PublishRtpRange">Whether <see cref="RtpRangeMapping"/> is published on the host under <c>aspire run</c>.</param>
/// <param name="LiveKitRtcTcp">Host port of LiveKit's ICE/TCP fallback; container port 7881 (livekit.yaml rtc.tcp_port).</param>
/// <param name="LiveKitRtcUdp">Host port of LiveKit's single WebRTC UDP port; container port 7882 (livekit.yaml rtc.udp_port).</param>
public sealed record NeoliaPorts(int Sip, int SipTls, bool PublishRtpRange, int LiveKitRtcTcp, int LiveKitRtcUdp)
{
    /// <summary>Asterisk's RTP range, identical on the host and in the container (containers/asterisk/rtp.conf).</summary>
    public const string RtpRangeMapping = "10000-10099:10000-10099/udp";

    public static NeoliaPorts From(IConfiguration configuration) => new(
        configuration.GetValue("Neolia:SipHostPort", 5060),
        configuration.GetValue("Neolia:SipTlsHostPort", 5061),
        configuration.GetValue("Neolia:PublishRtpRange", true),
        configuration.GetValue("Neolia:LiveKitRtcTcpHostPort", 7881),
        configuration.GetValue("Neolia:LiveKitRtcUdpHostPort", 7882));
}
