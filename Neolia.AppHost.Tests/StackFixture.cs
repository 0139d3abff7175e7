using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Neolia.AppHost.Tests;

/// <summary>
/// Starts the whole AppHost once for the tests of this class: secrets generated for the run, every fixed host port
/// (SIP, LiveKit media) moved to a free one, the RTP range not published, so the stack runs next to anything else.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly string[] Resources = ["postgres", "neolia", "redis", "livekit", "asterisk", "callapi", "notifier", "gateway"];

    public string WebhookSecret { get; } = Secret(32);
    public string DemoPassword { get; } = "Demo-" + Secret(16) + "!1a";

    public Aspire.Hosting.DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10)); // first run pulls images
        string[] args =
        [
            $"Parameters:livekit-api-key=test-{Secret(8)}",
            $"Parameters:livekit-api-secret={Secret(48)}",
            $"Parameters:asterisk-webhook-secret={WebhookSecret}",
            $"Parameters:jwt-signing-key={Secret(64)}",
            $"Parameters:postgres-password={Secret(24)}",
            $"Parameters:demo-sip-password={Secret(24)}",
            $"Parameters:demo-password={DemoPassword}",
            $"Neolia:SipHostPort={FreePort()}",
            "Neolia:PublishRtpRange=false",
            $"Neolia:LiveKitRtcTcpHostPort={FreePort()}",
            $"Neolia:LiveKitRtcUdpHostPort={FreePort()}",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Neolia_AppHost>(args, timeout.Token);
        App = await builder.BuildAsync(timeout.Token);
        await App.StartAsync(timeout.Token);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
    }

    private static string Secret(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();

    /// <summary>A port free for both TCP and UDP right now (SIP listens on both).</summary>
    private static int FreePort()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Any, port));
                return port;
            }
            catch (SocketException)
            {
                // taken for UDP: try another
            }
        }
        throw new InvalidOperationException("No port free for both TCP and UDP.");
    }
}
