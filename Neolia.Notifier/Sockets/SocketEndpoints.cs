using System.Text.Json;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Neolia.Contracts;
using Neolia.Notifier.CallEvents;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.Notifier.Sockets;

public static class SocketEndpoints
{
    public const string Path = "/ws";

    private static readonly byte[] Hello = JsonSerializer.SerializeToUtf8Bytes(new HelloMessage(), ContractsJson.Default.HelloMessage);

    public static IEndpointRouteBuilder MapResidentSockets(this IEndpointRouteBuilder app)
    {
        // Authorization runs before the handler: a missing, expired or forged token gets 401 and no upgrade.
        app.MapGet(Path, AcceptAsync).RequireAuthorization().DisableRequestTimeout();
        return app;
    }

    private static async Task<IResult> AcceptAsync(HttpContext http, ConnectionRegistry registry, RingingCalls ringing,
        TokenRevocations revocations, IOptions<SocketOptions> options, IHostApplicationLifetime lifetime, ILogger<ResidentConnection> logger)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected",
                detail: "Connect with a WebSocket client to receive calls.");
        }

        var userId = http.User.GetUserId();
        var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.Value.KeepAliveInterval,
            KeepAliveTimeout = options.Value.KeepAliveTimeout,
        });
        var connection = new ResidentConnection(userId, socket, options.Value);
        registry.Add(connection);
        try
        {
            // Revoked between the token check and the registration: the revocation message found no socket to close.
            if (await revocations.IsRevokedAsync(userId, http.User.GetIssuedAt())) connection.CloseRevoked();
            connection.TrySend(Hello);
            // Registered first, replayed second: a call that starts in between arrives live, and the
            // connection's own dedupe keeps it from ringing twice.
            foreach (var (callId, message) in await ringing.ForUserAsync(userId))
            {
                connection.TrySendRinging(callId, message);
            }
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            await connection.RunAsync(stopping.Token);
        }
        finally
        {
            registry.Remove(connection);
            if (connection.DropReason is { } reason) logger.LogWarning("Dropped a socket of user {UserId}: {Reason}", userId, reason);
        }
        return TypedResults.Empty;
    }
}
