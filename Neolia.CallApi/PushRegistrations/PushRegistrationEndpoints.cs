using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.Contracts;
using Neolia.ServiceDefaults.Authentication;

namespace Neolia.CallApi.PushRegistrations;

public static class PushRegistrationEndpoints
{
    public const string Path = "/api/push-registrations";

    public static IEndpointRouteBuilder MapPushRegistrations(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("Push registrations").RequireAuthorization();
        group.MapPost("", RegisterAsync).WithSummary("Register this app installation for push (FCM, APNs VoIP, APNs)");
        group.MapGet("", ListAsync).WithSummary("List my push registrations");
        group.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Remove a push registration");
        return app;
    }

    public sealed record RegisterRequest(
        [Required, MaxLength(16)] string Platform,
        [Required, MaxLength(4096)] string Token,
        [Required, MaxLength(200)] string DeviceId,
        [MaxLength(200)] string? AppId);

    public sealed record PushRegistrationView(Guid Id, string Platform, string Token, string DeviceId, string? AppId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        internal static PushRegistrationView Of(PushRegistration r) => new(r.Id, r.Platform, r.Token, r.DeviceId, r.AppId, r.CreatedAt, r.UpdatedAt);
    }

    /// <summary>Upsert per installation and platform: the same device registering again replaces its token.</summary>
    private static async Task<Results<Ok<PushRegistrationView>, Created<PushRegistrationView>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, ClaimsPrincipal principal, NeoliaDb db, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (principal.GetTenantId() is not { } tenantId || !principal.IsInRole(NeoliaRoles.Resident))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only residents register push tokens");
        var userId = principal.GetUserId();
        var token = request.Token.Trim();
        var now = time.GetUtcNow();

        for (var attempt = 0; ; attempt++)
        {
            // The token moved to this installation (another account of the same tenant signed in on the phone): it
            // leaves the old one. A token registered in another tenant never moves silently: 409, and nothing changes.
            var elsewhere = db.Set<PushRegistration>().IgnoreQueryFilters()
                .Where(r => r.Platform == request.Platform && r.Token == token && !(r.UserId == userId && r.DeviceId == request.DeviceId));
            if (await elsewhere.AnyAsync(r => r.TenantId != tenantId, ct))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Push token registered elsewhere",
                    detail: "This push token belongs to an account of another customer; sign out there first (the app deletes its registration).");
            }
            await elsewhere.ExecuteDeleteAsync(ct);

            var existing = await db.Set<PushRegistration>()
                .SingleOrDefaultAsync(r => r.UserId == userId && r.DeviceId == request.DeviceId && r.Platform == request.Platform, ct);
            var created = existing is null;
            existing ??= db.Set<PushRegistration>().Add(new PushRegistration
            {
                TenantId = tenantId, UserId = userId, Platform = request.Platform, Token = token, DeviceId = request.DeviceId, CreatedAt = now,
            }).Entity;
            existing.Token = token;
            existing.AppId = request.AppId;
            existing.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (attempt < 2 && e.IsUniqueViolation())
            {
                db.ChangeTracker.Clear(); // the same installation registered twice at once: try again, the other one won
                continue;
            }
            var view = PushRegistrationView.Of(existing);
            return created ? TypedResults.Created($"{Path}/{view.Id}", view) : TypedResults.Ok(view);
        }
    }

    private static async Task<Ok<List<PushRegistrationView>>> ListAsync(ClaimsPrincipal principal, NeoliaDb db, CancellationToken ct) =>
        TypedResults.Ok(await OfUserAsync(db, principal.GetUserId(), ct));

    /// <summary>A user's registrations, oldest first (also listed in <c>/api/me</c>).</summary>
    internal static async Task<List<PushRegistrationView>> OfUserAsync(NeoliaDb db, Guid userId, CancellationToken ct)
    {
        var list = await db.Set<PushRegistration>().AsNoTracking().Where(r => r.UserId == userId)
            .OrderBy(r => r.CreatedAt).ToListAsync(ct);
        return list.Select(PushRegistrationView.Of).ToList();
    }

    /// <summary>Another resident's registration answers 404, like one that does not exist.</summary>
    private static async Task<Results<NoContent, NotFound>> DeleteAsync(Guid id, ClaimsPrincipal principal, NeoliaDb db, CancellationToken ct)
    {
        var userId = principal.GetUserId();
        var deleted = await db.Set<PushRegistration>().Where(r => r.Id == id && r.UserId == userId).ExecuteDeleteAsync(ct);
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }

    private static Dictionary<string, string[]> Validate(RegisterRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!PushPlatforms.All.Contains(request.Platform))
            errors["platform"] = [$"platform must be one of: {string.Join(", ", PushPlatforms.All)}."];
        var token = request.Token?.Trim() ?? "";
        if (token.Length == 0) errors["token"] = ["token is required."];
        else if (request.Platform is PushPlatforms.Apns or PushPlatforms.ApnsVoip && (token.Length % 2 != 0 || token.Length < 32 || !token.All(char.IsAsciiHexDigit)))
            errors["token"] = ["an APNs token is the device token in hexadecimal."];
        else if (token.Any(char.IsWhiteSpace)) errors["token"] = ["token must not contain spaces."];
        if (string.IsNullOrWhiteSpace(request.DeviceId)) errors["deviceId"] = ["deviceId is required."];
        return errors;
    }
}
