using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Neolia.AdminConsole.SignIn;

namespace Neolia.AdminConsole.Api;

/// <summary>
/// The API's pictures (a call's snapshot, a door event's) for the console's <c>&lt;img&gt;</c>: the browser holds only
/// the session cookie, which an <c>&lt;img src&gt;</c> sends, and the console asks the gateway with the session's own
/// access token, so the API decides exactly as it does for the administrator's other requests (another tenant's: 404).
/// Only the two picture routes are passed on, nothing else of the API.
/// </summary>
public static partial class ApiPictures
{
    public const string Prefix = "pictures";

    [GeneratedRegex(@"^api/(calls|door-events)/[0-9a-fA-F-]{36}/snapshot$")]
    private static partial Regex PictureRoute();

    /// <summary>The console-relative address of an API picture URL (<c>/api/calls/{id}/snapshot</c> → <c>pictures/api/calls/{id}/snapshot</c>).</summary>
    public static string? Src(string? apiUrl) => apiUrl is null ? null : $"{Prefix}/{apiUrl.TrimStart('/')}";

    public static IEndpointRouteBuilder MapApiPictures(this IEndpointRouteBuilder app)
    {
        app.MapGet($"/{Prefix}/{{**path}}", async (string path, HttpContext context, SessionStore sessions, IHttpClientFactory clients, CancellationToken ct) =>
        {
            if (!PictureRoute().IsMatch(path)) return Results.NotFound();
            // The session's current token: the pages' own API calls keep it fresh (ConsoleUser refreshes it ahead of expiry).
            if (sessions.Find(context.User.FindFirst(SignInFeature.SessionClaim)?.Value) is not { } session) return Results.Unauthorized();
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session.Tokens.AccessToken);
            using var response = await clients.CreateClient(ApiFeature.PicturesClient).SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) return Results.StatusCode((int)response.StatusCode);
            context.Response.Headers.CacheControl = "private, max-age=3600";
            return Results.Bytes(await response.Content.ReadAsByteArrayAsync(ct), "image/jpeg");
        }).RequireAuthorization(SignInFeature.AdministratorsPolicy);
        return app;
    }
}
