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

    /// <summary>
    /// An app's socket arrives as an HTTP/1.1 GET upgrade, or as an HTTP/2 CONNECT (RFC 8441): that is how the gateway
    /// carries it, many sockets per TCP connection, to the h2c endpoint <c>sockets</c> (Kestrel:Endpoints, appsettings.json).
    /// </summary>
    public static readonly string[] WebSocketMethods = [HttpMethods.Get, HttpMethods.Connect];

    private static readonly byte[] Hello = JsonSerializer.SerializeToUtf8Bytes(new HelloMessage(), ContractsJson.Default.HelloMessage);

    public static IEndpointRouteBuilder MapResidentSockets(this IEndpointRouteBuilder app)
    {
        // The token is checked before the upgrade (SocketAccessTokens, the bearer scheme's own rules): a missing, expired,
        // forged or revoked token gets 401 and no upgrade.
        app.MapMethods(Path, WebSocketMethods, AcceptAsync).DisableRequestTimeout();
        return app;
    }

    /// <summary>
    /// At most this many ringing calls are replayed to a socket that connects: half the send queue, leaving room for
    /// <c>hello</c> and the live events that arrive meanwhile. A door rings one apartment at a time, so more calls
    /// ringing at once for one resident are stale or a flood; the newest are the ones the resident can still answer.
    /// </summary>
    internal static int ReplayLimit(SocketOptions options) => Math.Max(1, options.SendQueueCapacity / 2);

    private static async Task CloseIfRevokedAsync(ResidentConnection connection, RevocationCheck revocations, long issuedAtMs, ILogger logger)
    {
        try
        {
            if (await revocations.IsRevokedAsync(connection.UserId, issuedAtMs)) connection.CloseRevoked();
        }
        catch (RevocationsUnknownException e)
        {
            logger.LogWarning("Socket of user {UserId} closed: its token's revocation could not be checked ({Message})", connection.UserId, e.Message);
            connection.CloseUnverifiable();
        }
    }

    /// <summary>How often a socket whose replay Redis could not give yet asks again.</summary>
    internal static readonly TimeSpan ReplayRetryInterval = TimeSpan.FromMilliseconds(250);

    private static async Task ReplayWhenKnownAsync(ResidentConnection connection, RingingCalls ringing, int limit, TimeProvider time, CancellationToken ct)
    {
        try
        {
            IReadOnlyList<(Guid CallId, byte[] Message)>? calls;
            do
            {
                await Task.Delay(ReplayRetryInterval, time, ct);
            } while ((calls = await ringing.ForUserAsync(connection.UserId, limit)) is null);
            foreach (var (callId, message) in calls) connection.TrySendRinging(callId, message);
        }
        catch (OperationCanceledException)
        {
            // The socket closed before Redis could tell: nothing to replay to.
        }
    }

    private static async Task<IResult> AcceptAsync(HttpContext http, ConnectionRegistry registry, RingingCalls ringing, SocketAccessTokens tokens,
        RevocationCheck revocations, IOptions<SocketOptions> options, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ResidentConnection> logger)
    {
        var (holder, refusal) = await tokens.ValidateAsync(http.Request);
        if (holder is not { } resident)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in", detail: refusal);
        }
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected",
                detail: "Connect with a WebSocket client to receive calls.");
        }
        // The request lives as long as the socket: let go of the parsed query, which holds a copy of the token.
        http.Request.Query = QueryCollection.Empty;

        var userId = resident.UserId;
        var socket = await http.WebSockets.AcceptWebSocketAsync(options.Value.AcceptContext());
        var connection = new ResidentConnection(userId, socket, options.Value);
        registry.Add(connection);
        try
        {
            // Revoked between the token check and the registration: the revocation message found no socket to close.
            await CloseIfRevokedAsync(connection, revocations, resident.IssuedAtMs, logger);
            connection.TrySend(Hello);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            // Registered first, replayed second: a call that starts in between arrives live, and the
            // connection's own dedupe keeps it from ringing twice. The replay is bounded (newest first) so that it
            // never fills the send queue: a resident with many calls ringing still connects. When Redis cannot tell
            // yet (down, or restarted and not refilled from PostgreSQL), it is replayed as soon as it can.
            var limit = ReplayLimit(options.Value);
            if (await ringing.ForUserAsync(userId, limit) is { } calls)
            {
                foreach (var (callId, message) in calls) connection.TrySendRinging(callId, message);
                await connection.RunAsync(stopping.Token);
            }
            else
            {
                // Only then a retry and its token: the common socket holds nothing more for its whole life.
                using var replayStop = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                var replay = ReplayWhenKnownAsync(connection, ringing, limit, time, replayStop.Token);
                await connection.RunAsync(stopping.Token);
                await replayStop.CancelAsync();
                await replay;
            }
        }
        finally
        {
            registry.Remove(connection);
            if (connection.DropReason is { } reason) logger.LogWarning("Dropped a socket of user {UserId}: {Reason}", userId, reason);
        }
        return TypedResults.Empty;
    }
}
