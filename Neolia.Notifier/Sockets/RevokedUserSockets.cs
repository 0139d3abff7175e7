using Neolia.ServiceDefaults.Authentication;
using StackExchange.Redis;

namespace Neolia.Notifier.Sockets;

/// <summary>
/// Closes this replica's sockets of a user as soon as CallApi revokes their tokens (deactivation): a socket was
/// authenticated once, at the upgrade, and would otherwise keep ringing a user who is no longer allowed in.
/// </summary>
internal sealed class RevokedUserSockets(IConnectionMultiplexer redis, ConnectionRegistry registry, ILogger<RevokedUserSockets> logger)
    : IHostedService
{
    private ChannelMessageQueue? _messages;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _messages = await redis.GetSubscriber().SubscribeAsync(TokenRevocations.RevokedChannel);
        _messages.OnMessage(message =>
        {
            if (TokenRevocations.UserIdOf(message.Message) is not { } userId) return;
            var connections = registry.Of(userId).ToArray();
            foreach (var connection in connections) connection.CloseRevoked();
            if (connections.Length > 0) logger.LogInformation("Closed {Count} socket(s) of revoked user {UserId}", connections.Length, userId);
        });
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_messages is not null) await _messages.UnsubscribeAsync();
    }
}
