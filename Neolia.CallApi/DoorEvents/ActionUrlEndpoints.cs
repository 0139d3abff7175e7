using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;

namespace Neolia.CallApi.DoorEvents;

/// <summary>
/// What a door reports of itself (card, PIN, exit button, relay) through its Action URL: Akuvox doors send an HTTP
/// GET to a URL typed into their web page, with variables such as <c>$mac</c> or <c>$card_sn</c> replaced. A door can
/// only be given a URL, so it authenticates with a per-door token, as the password of the URL's user info (sent as
/// basic auth) or as <c>token=</c> in the query; only the token's SHA-256 is stored. No or a wrong token: 401.
/// </summary>
public static class ActionUrlEndpoints
{
    public const string TokenParameter = "token";
    public const string EventParameter = "event";

    /// <summary>At most this many variables are kept per event, each cut to <see cref="MaxValueLength"/>: a door's report is small.</summary>
    private const int MaxVariables = 20;
    private const int MaxValueLength = 200;

    public static string PathOf(Guid doorId) => $"/api/doors/{doorId}/action-url";

    public static IEndpointRouteBuilder MapActionUrl(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/doors/{id:guid}/action-url", [HttpMethods.Get, HttpMethods.Post], ReportAsync).AllowAnonymous().WithTags("Doors")
            .WithSummary("A door's own event through its Action URL (authenticated with the door's token: basic auth password or ?token=)")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesValidationProblem();
        return app;
    }

    /// <summary>A new token (shown once) and what is stored of it.</summary>
    public static (string Token, byte[] Hash) NewToken()
    {
        var token = "nau_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        return (token, Hash(token));
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static async Task<IResult> ReportAsync(Guid id, HttpContext context, NeoliaDb db, DoorLog log, TimeProvider time, CancellationToken ct)
    {
        var query = context.Request.Query;
        db.TenantScope = TenantScope.All; // the door is anonymous: its token says which door it is
        var door = await db.Devices.Where(d => d.Id == id).Select(d => new { d.Id, d.TenantId, d.SiteId, d.ActionUrlTokenHash }).SingleOrDefaultAsync(ct);
        var sent = TokenOf(context.Request);
        // Unknown door, no token, a wrong one: the same 401, so the endpoint tells nothing about which doors exist.
        if (door?.ActionUrlTokenHash is not { } stored || sent is null || !CryptographicOperations.FixedTimeEquals(stored, Hash(sent)))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"neolia-door\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Door not authenticated",
                detail: "Send the door's Action URL token as the URL's password (basic auth) or as token=.");
        }
        if (query[EventParameter].ToString() is not { Length: > 0 and <= 64 } eventName)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [EventParameter] = ["Name the door's event (e.g. event=card), at most 64 characters."] });
        }
        var details = query.Where(q => q.Key != TokenParameter).Take(MaxVariables)
            .ToDictionary(q => q.Key.Length > 64 ? q.Key[..64] : q.Key, q => q.Value.ToString() is var v && v.Length > MaxValueLength ? v[..MaxValueLength] : v);
        await log.RecordAsync(new DoorEventEntry(door.TenantId, door.SiteId, door.Id, DoorEventKinds.DoorReported, time.GetUtcNow())
        {
            Method = DoorEventMethods.DoorLocal, Details = details,
        }, ct);
        return TypedResults.NoContent();
    }

    private static string? TokenOf(HttpRequest request)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var auth) && auth.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && auth.Parameter is { } parameter)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
                var colon = pair.IndexOf(':');
                return colon >= 0 ? pair[(colon + 1)..] : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return request.Query[TokenParameter].ToString() is { Length: > 0 } token ? token : null;
    }
}
