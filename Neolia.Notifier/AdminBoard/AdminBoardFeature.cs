using System.Text.Json;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using Neolia.Contracts;
using Neolia.Notifier.Sockets;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.Notifier.AdminBoard;

/// <summary>
/// <c>/ws/admin</c>: the socket an admin console holds (server side) to watch its tenant's calls live. Only
/// <c>tenant-admin</c> and <c>platform-admin</c> tokens are accepted; a resident's gets 403.
/// </summary>
public static class AdminBoardFeature
{
    public const string Path = "/ws/admin";
    private const string Policy = "admin-board";

    private static readonly byte[] Hello = JsonSerializer.SerializeToUtf8Bytes(new HelloMessage(), ContractsJson.Default.HelloMessage);

    public static IHostApplicationBuilder AddAdminBoard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AdminBoardFanOut>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.RequireRole(NeoliaRoles.PlatformAdmin, NeoliaRoles.TenantAdmin));
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminBoard(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Path, SocketEndpoints.WebSocketMethods, AcceptAsync).RequireAuthorization(Policy).DisableRequestTimeout();
        return app;
    }

    private static async Task<IResult> AcceptAsync(HttpContext http, AdminBoardFanOut board, IOptions<SocketOptions> options,
        IHostApplicationLifetime lifetime)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket upgrade expected",
                detail: "Connect with a WebSocket client to watch the calls.");
        }
        // A tenant administrator sees their tenant; a platform administrator belongs to none and sees all.
        var tenantId = http.User.IsInRole(NeoliaRoles.PlatformAdmin) ? null : http.User.GetTenantId();
        if (tenantId is null && !http.User.IsInRole(NeoliaRoles.PlatformAdmin)) return TypedResults.Forbid();

        var socket = await http.WebSockets.AcceptWebSocketAsync(options.Value.AcceptContext());
        var connection = new ResidentConnection(http.User.GetUserId(), socket, options.Value);
        board.Add(connection, tenantId);
        try
        {
            connection.TrySend(Hello);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
            await connection.RunAsync(stopping.Token);
        }
        finally
        {
            board.Remove(connection);
        }
        return TypedResults.Empty;
    }
}
