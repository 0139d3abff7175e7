using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.SipAccounts;

/// <summary>The signed-in resident's softphone account, for the app's SIP stack (SIP over WebSocket at the gateway's /sip).</summary>
public static class SoftphoneEndpoints
{
    /// <param name="WebSocketPath">Where the app opens SIP over WebSocket, on the gateway.</param>
    public sealed record SoftphoneAccountResponse(string Username, string Realm, string Password, string WebSocketPath);

    public static IEndpointRouteBuilder MapSoftphoneAccount(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me/sip-account", GetAsync).WithSummary("My softphone's SIP account (username, password, WebSocket server) for the app").WithTags("Me").RequireAuthorization();
        return app;
    }

    private static async Task<IResult> GetAsync(ClaimsPrincipal caller, HttpContext http, NeoliaDb db, SipCredentials sip, SoftphonePasswords passwords, CancellationToken ct)
    {
        var id = caller.GetUserId();
        var account = await db.Users.Where(u => u.Id == id && u.IsActive && u.SipUsername != null && u.SipPasswordProtected != null)
            .Select(u => new { u.SipUsername, u.SipPasswordProtected }).SingleOrDefaultAsync(ct);
        if (account is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No softphone account",
                detail: "This account has no SIP softphone (only residents have one).");
        }
        // A credential: no cache may keep it.
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new SoftphoneAccountResponse(account.SipUsername!, sip.Realm, passwords.Unprotect(account.SipPasswordProtected!), "/sip"));
    }
}
