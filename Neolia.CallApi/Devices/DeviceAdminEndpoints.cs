using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Administration;
using Neolia.CallApi.Data;
using Neolia.CallApi.RequestErrors;
using Neolia.CallApi.SipAccounts;

namespace Neolia.CallApi.Devices;

/// <summary>
/// Door intercoms and indoor monitors. The SIP password is generated and shown once (create, reset); only its HA1
/// digest is stored. Camera (RTSP) settings are stored encrypted and never returned, apart from the camera's host.
/// </summary>
public static class DeviceAdminEndpoints
{
    public const string DoorIntercom = "door-intercom";
    public const string IndoorMonitor = "indoor-monitor";
    public const string DoorCodePattern = "^[0-9A-D*#]+$";

    public static IEndpointRouteBuilder MapDeviceAdministration(this IEndpointRouteBuilder admin)
    {
        var devices = admin.MapGroup("/devices").WithTags("Admin: devices").RequireAuthorization(AdminPolicies.ManageBuildings);
        devices.MapGet("", ListAsync).WithSummary("List the devices (door intercoms, indoor monitors)");
        devices.MapGet("/{id:guid}", GetAsync).WithSummary("Get a device").WithName("GetDevice");
        devices.MapPost("", CreateAsync).WithSummary("Create a device: its SIP username and one-time password");
        devices.MapPut("/{id:guid}", UpdateAsync).WithSummary("Update a device");
        devices.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete a device");
        devices.MapPost("/{id:guid}/sip-password", ResetSipPasswordAsync).WithSummary("Reset a device's SIP password (shown once)");
        devices.MapPut("/{id:guid}/sip-security", SetSipSecurityAsync).WithSummary("Set how a device carries SIP (udp, tcp, tls) and its media (none, sdes)");
        devices.MapPut("/{id:guid}/camera", SetCameraAsync).WithSummary("Set a device's camera (RTSP URL and credentials, stored encrypted)");
        devices.MapDelete("/{id:guid}/camera", RemoveCameraAsync).WithSummary("Remove a device's camera");
        devices.MapPut("/{id:guid}/http-api", SetHttpApiAsync).WithSummary("Set a door's HTTP API on the building's network (URL, credentials stored encrypted; for site-box openings)");
        devices.MapDelete("/{id:guid}/http-api", RemoveHttpApiAsync).WithSummary("Remove a door's HTTP API");
        devices.MapPut("/{id:guid}/app-opening", SetAppOpeningAsync).WithSummary("Turn a door's opening from the app off, or on over SIP or a site box (the rest of the door unchanged)");
        devices.MapPost("/{id:guid}/action-url", NewActionUrlTokenAsync).WithSummary("Issue a door's Action URL token (shown once; replaces the previous one)");
        return admin;
    }

    /// <param name="Host">The camera's host (and port): which camera it is, without the secret parts of its URL.</param>
    public sealed record CameraResponse(string? Host, bool HasCredentials);

    /// <param name="Registration">Whether the device is registered with Asterisk now (only when one device is asked for).</param>
    public sealed record DeviceResponse(
        Guid Id, Guid TenantId, Guid SiteId, Guid? ApartmentId, string Kind, string Name, string SipUsername, string SipRealm,
        bool HasDoorCode, bool IsActive, CameraResponse? Camera, DateTimeOffset CreatedAt, string SipTransport, string MediaEncryption,
        SipRegistration? Registration = null, DateTimeOffset? LastCallAt = null, string AppOpening = AppOpeningModes.Off, CameraResponse? HttpApi = null,
        bool HasActionUrl = false);

    /// <param name="Token">Shown this once: type the URL into the door's Action URL page now.</param>
    public sealed record ActionUrlResponse(string Path, string Token, string Example);

    public sealed record AppOpeningRequest([Required, AllowedValues(AppOpeningModes.Off, AppOpeningModes.Sip, AppOpeningModes.SiteBox)] string? AppOpening);

    public sealed record HttpApiRequest(
        [Required, MaxLength(2000), AbsoluteUri("http", "https")] string Url,
        [MaxLength(200)] string? Username,
        [MaxLength(200)] string? Password,
        [Range(1, 8)] int? Relay);

    /// <param name="SipPassword">Shown this once: only its digest is stored. Type it into the device now.</param>
    public sealed record DeviceCreatedResponse(DeviceResponse Device, string SipPassword);

    public sealed record SipPasswordResponse(string SipUsername, string SipRealm, string SipPassword);

    public sealed record CreateDeviceRequest(
        [Required] Guid? SiteId,
        [Required, AllowedValues(DoorIntercom, IndoorMonitor)] string Kind,
        [Required, SingleLine, MaxLength(200)] string Name,
        Guid? ApartmentId,
        [MaxLength(32), RegularExpression(DoorCodePattern, ErrorMessage = "DTMF digits only: 0-9, A-D, * and #.")] string? DoorCode,
        [MaxLength(2000), AbsoluteUri("rtsp", "rtsps")] string? RtspUrl,
        [MaxLength(200)] string? RtspUsername,
        [MaxLength(200)] string? RtspPassword,
        [AllowedValues(null, AppOpeningModes.Off, AppOpeningModes.Sip, AppOpeningModes.SiteBox)] string? AppOpening = null,
        [AllowedValues(SipSecurity.Udp, SipSecurity.Tcp, SipSecurity.Tls, null)] string? SipTransport = null,
        [AllowedValues(SipSecurity.None, SipSecurity.Sdes, null)] string? MediaEncryption = null);

    /// <param name="SipTransport">Omitted: unchanged.</param>
    /// <param name="MediaEncryption">Omitted: unchanged.</param>
    public sealed record UpdateDeviceRequest(
        [Required, SingleLine, MaxLength(200)] string Name,
        Guid? ApartmentId,
        [MaxLength(32), RegularExpression(DoorCodePattern, ErrorMessage = "DTMF digits only: 0-9, A-D, * and #.")] string? DoorCode,
        [Required] bool? IsActive,
        [AllowedValues(null, AppOpeningModes.Off, AppOpeningModes.Sip, AppOpeningModes.SiteBox)] string? AppOpening = null,
        [AllowedValues(SipSecurity.Udp, SipSecurity.Tcp, SipSecurity.Tls, null)] string? SipTransport = null,
        [AllowedValues(SipSecurity.None, SipSecurity.Sdes, null)] string? MediaEncryption = null);

    public sealed record SipSecurityRequest(
        [Required, AllowedValues(SipSecurity.Udp, SipSecurity.Tcp, SipSecurity.Tls)] string SipTransport,
        [Required, AllowedValues(SipSecurity.None, SipSecurity.Sdes)] string MediaEncryption);

    public sealed record CameraRequest(
        [Required, MaxLength(2000), AbsoluteUri("rtsp", "rtsps")] string RtspUrl,
        [MaxLength(200)] string? RtspUsername,
        [MaxLength(200)] string? RtspPassword);

    private static string KindName(DeviceKind kind) => kind == DeviceKind.DoorIntercom ? DoorIntercom : IndoorMonitor;

    private static DeviceResponse ToResponse(Device d, SipCredentials sip, DeviceSecrets secrets) => new(
        d.Id, d.TenantId, d.SiteId, d.ApartmentId, KindName(d.Kind), d.Name, d.SipUsername, sip.Realm, d.DoorCodeProtected is not null, d.IsActive,
        d.RtspUrlProtected is null ? null : new CameraResponse(secrets.HostOf(d.RtspUrlProtected), d.RtspUsernameProtected is not null || d.RtspPasswordProtected is not null),
        d.CreatedAt, SipSecurity.Name(d.SipTransport), SipSecurity.Name(d.MediaEncryption), AppOpening: d.AppOpening,
        HttpApi: d.DoorHttpUrlProtected is null ? null : new CameraResponse(secrets.HostOf(d.DoorHttpUrlProtected), d.DoorHttpUsernameProtected is not null || d.DoorHttpPasswordProtected is not null),
        HasActionUrl: d.ActionUrlTokenHash is not null);

    /// <summary>
    /// A new door speaks what the Akuvox E12W offers across the internet: SIP over TLS with SRTP (SDES). A monitor stays
    /// on the building's network: UDP, plain RTP (docs/administration.md).
    /// </summary>
    private static (SipTransport, SipMediaEncryption) DefaultSipSecurity(DeviceKind kind) =>
        kind == DeviceKind.DoorIntercom ? (SipTransport.Tls, SipMediaEncryption.Sdes) : (SipTransport.Udp, SipMediaEncryption.None);

    /// <summary>SDES carries the media keys inside the SIP message: over UDP or TCP anyone on the path reads them.</summary>
    private static IResult? CheckSipSecurity(SipTransport transport, SipMediaEncryption encryption) =>
        encryption == SipMediaEncryption.Sdes && transport != SipTransport.Tls
            ? AdminProblems.Invalid("mediaEncryption", "SRTP with SDES sends its keys in the SIP messages: it needs sipTransport 'tls'.")
            : null;

    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, Guid? siteId, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, CancellationToken ct)
    {
        var devices = db.Devices.AsQueryable();
        if (siteId is { } s) devices = devices.Where(d => d.SiteId == s);
        if (paging.SearchPattern is { } like) devices = devices.Where(d => EF.Functions.ILike(d.Name, like) || EF.Functions.ILike(d.SipUsername, like));
        var page = await devices.OrderBy(d => d.Id).ToPageAsync(paging, ct);
        var ids = page.Items.Select(d => d.Id).ToList();
        // What an installer checks first: has this door rung lately?
        var lastCalls = await db.Calls.Where(c => ids.Contains(c.DeviceId)).GroupBy(c => c.DeviceId)
            .Select(g => new { DeviceId = g.Key, At = g.Max(c => c.StartedAt) }).ToDictionaryAsync(x => x.DeviceId, x => x.At, ct);
        return TypedResults.Ok(new PagedList<DeviceResponse>(
            page.Items.Select(d => ToResponse(d, sip, secrets) with { LastCallAt = lastCalls.TryGetValue(d.Id, out var at) ? at : null }).ToList(),
            page.Page, page.PageSize, page.TotalCount));
    }

    private static async Task<IResult> GetAsync(Guid id, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, TimeProvider time, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) is not { } device) return AdminProblems.NotFound("Device");
        var registration = await SipAccountRows.RegistrationOfAsync(db, device.SipUsername, time.GetUtcNow(), ct);
        return TypedResults.Ok(ToResponse(device, sip, secrets) with { Registration = registration });
    }

    private static SipAccountKind AccountKind(DeviceKind kind) => kind == DeviceKind.DoorIntercom ? SipAccountKind.DoorIntercom : SipAccountKind.IndoorMonitor;

    /// <summary>Asterisk's rows for the device, as it is now (none when inactive); saved with the caller's changes.</summary>
    public static async Task SyncSipAccountAsync(Device device, NeoliaDb db, SipAccountRows rows, CancellationToken ct)
    {
        var slug = await db.Tenants.Where(t => t.Id == device.TenantId).Select(t => t.Slug).SingleAsync(ct);
        await rows.SyncAsync(db, device.SipAccount(slug), device.IsActive && device.SipPasswordDigest is not null, ct);
    }

    private static async Task<IResult> CreateAsync(CreateDeviceRequest request, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, SipAccountRows rows, CancellationToken ct)
    {
        var site = await db.Sites.Where(s => s.Id == request.SiteId)
            .Select(s => new { s.Id, s.TenantId, Slug = db.Tenants.Where(t => t.Id == s.TenantId).Select(t => t.Slug).First() })
            .SingleOrDefaultAsync(ct);
        if (site is null) return AdminProblems.NotFound("Site");
        var kind = request.Kind == DoorIntercom ? DeviceKind.DoorIntercom : DeviceKind.IndoorMonitor;
        if (await CheckApartmentAsync(kind, request.ApartmentId, site.Id, db, ct) is { } problem) return problem;
        if (kind != DeviceKind.DoorIntercom && request.AppOpening is not (null or AppOpeningModes.Off)) return AdminProblems.Invalid("appOpening", "Only a door intercom opens.");
        if (request.RtspUrl is null && (request.RtspUsername is not null || request.RtspPassword is not null))
        {
            return AdminProblems.Invalid("rtspUrl", "Camera credentials need the camera's RTSP URL.");
        }

        var (transport, encryption) = DefaultSipSecurity(kind);
        if (request.SipTransport is { } t) transport = SipSecurity.Transport(t);
        if (request.MediaEncryption is { } m) encryption = SipSecurity.MediaEncryption(m);
        if (CheckSipSecurity(transport, encryption) is { } invalid) return invalid;

        var password = SipCredentials.NewPassword();
        // A generated username may collide (rarely): try again with a new one rather than fail the request.
        for (var attempt = 1; ; attempt++)
        {
            var username = SipCredentials.NewUsername(site.Slug, AccountKind(kind));
            var device = new Device
            {
                TenantId = site.TenantId,
                SiteId = site.Id,
                ApartmentId = request.ApartmentId,
                Kind = kind,
                Name = request.Name.Trim(),
                SipUsername = username,
                SipPasswordDigest = sip.Ha1(username, password),
                DoorCodeProtected = secrets.ProtectDoorCode(request.DoorCode),
                RtspUrlProtected = secrets.Protect(request.RtspUrl),
                RtspUsernameProtected = secrets.Protect(request.RtspUsername),
                RtspPasswordProtected = secrets.Protect(request.RtspPassword),
                AppOpening = request.AppOpening ?? AppOpeningModes.Off,
                SipTransport = transport,
                MediaEncryption = encryption,
            };
            db.Devices.Add(device);
            await rows.WriteAsync(db, device.SipAccount(site.Slug), ct);
            try
            {
                await db.SaveChangesAsync(ct);
                return TypedResults.CreatedAtRoute(new DeviceCreatedResponse(ToResponse(device, sip, secrets), password), "GetDevice", new { id = device.Id });
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation() && attempt < 3)
            {
                // The device and its Asterisk rows: none of them was saved.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static async Task<IResult> UpdateAsync(Guid id, UpdateDeviceRequest request, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, SipAccountRows rows, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) is not { } device) return AdminProblems.NotFound("Device");
        if (await CheckApartmentAsync(device.Kind, request.ApartmentId, device.SiteId, db, ct) is { } problem) return problem;
        if (SetSipSecurity(device, request.SipTransport, request.MediaEncryption) is { } invalid) return invalid;
        device.Name = request.Name.Trim();
        device.ApartmentId = request.ApartmentId;
        device.DoorCodeProtected = secrets.ProtectDoorCode(request.DoorCode);
        device.IsActive = request.IsActive!.Value;
        if (request.AppOpening is { } appOpening)
        {
            if (device.Kind != DeviceKind.DoorIntercom && appOpening != AppOpeningModes.Off) return AdminProblems.Invalid("appOpening", "Only a door intercom opens.");
            device.AppOpening = appOpening;
        }
        await SyncSipAccountAsync(device, db, rows, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(device, sip, secrets));
    }

    private static async Task<IResult> DeleteAsync(Guid id, NeoliaDb db, SipAccountRows rows, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) is not { } device) return AdminProblems.NotFound("Device");
        // Calls keep pointing at their door: the history must survive.
        if (await db.Calls.AnyAsync(c => c.DeviceId == id, ct))
        {
            return AdminProblems.Conflict("Device has calls", "A device with call history cannot be deleted; deactivate it instead (isActive: false).");
        }
        db.Devices.Remove(device);
        await rows.RemoveAsync(db, device.SipUsername, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ResetSipPasswordAsync(Guid id, NeoliaDb db, SipCredentials sip, SipAccountRows rows, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) is not { } device) return AdminProblems.NotFound("Device");
        var password = SipCredentials.NewPassword();
        device.SipPasswordDigest = sip.Ha1(device.SipUsername, password);
        // The old password stops working at once, and registrations made with it are dropped.
        await rows.DropRegistrationsAsync(db, device.SipUsername, ct);
        await SyncSipAccountAsync(device, db, rows, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new SipPasswordResponse(device.SipUsername, sip.Realm, password));
    }

    private static async Task<IResult> SetSipSecurityAsync(Guid id, SipSecurityRequest request, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, SipAccountRows rows, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) is not { } device) return AdminProblems.NotFound("Device");
        if (SetSipSecurity(device, request.SipTransport, request.MediaEncryption) is { } invalid) return invalid;
        await SyncSipAccountAsync(device, db, rows, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(device, sip, secrets));
    }

    /// <summary>Takes the transport and encryption asked for (null: unchanged), or the problem with them.</summary>
    private static IResult? SetSipSecurity(Device device, string? transportName, string? encryptionName)
    {
        var transport = transportName is { } t ? SipSecurity.Transport(t) : device.SipTransport;
        var encryption = encryptionName is { } m ? SipSecurity.MediaEncryption(m) : device.MediaEncryption;
        if (CheckSipSecurity(transport, encryption) is { } invalid) return invalid;
        device.SipTransport = transport;
        device.MediaEncryption = encryption;
        return null;
    }

    private static async Task<IResult> SetCameraAsync(Guid id, CameraRequest request, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) is not { } device) return AdminProblems.NotFound("Device");
        device.RtspUrlProtected = secrets.Protect(request.RtspUrl);
        device.RtspUsernameProtected = secrets.Protect(request.RtspUsername);
        device.RtspPasswordProtected = secrets.Protect(request.RtspPassword);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(device, sip, secrets));
    }

    private static async Task<IResult> RemoveCameraAsync(Guid id, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id, ct) is not { } device) return AdminProblems.NotFound("Device");
        device.RtspUrlProtected = device.RtspUsernameProtected = device.RtspPasswordProtected = null;
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SetHttpApiAsync(Guid id, HttpApiRequest request, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id && d.Kind == DeviceKind.DoorIntercom, ct) is not { } device) return AdminProblems.NotFound("Door");
        device.DoorHttpUrlProtected = secrets.Protect(request.Url);
        device.DoorHttpUsernameProtected = secrets.Protect(request.Username);
        device.DoorHttpPasswordProtected = secrets.Protect(request.Password);
        device.DoorHttpRelay = request.Relay ?? 1;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(device, sip, secrets));
    }

    private static async Task<IResult> RemoveHttpApiAsync(Guid id, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id && d.Kind == DeviceKind.DoorIntercom, ct) is not { } device) return AdminProblems.NotFound("Door");
        device.DoorHttpUrlProtected = device.DoorHttpUsernameProtected = device.DoorHttpPasswordProtected = null;
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SetAppOpeningAsync(Guid id, AppOpeningRequest request, NeoliaDb db, SipCredentials sip, DeviceSecrets secrets, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id && d.Kind == DeviceKind.DoorIntercom, ct) is not { } device) return AdminProblems.NotFound("Door");
        device.AppOpening = request.AppOpening!;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToResponse(device, sip, secrets));
    }

    private static async Task<IResult> NewActionUrlTokenAsync(Guid id, NeoliaDb db, CancellationToken ct)
    {
        if (await db.Devices.SingleOrDefaultAsync(d => d.Id == id && d.Kind == DeviceKind.DoorIntercom, ct) is not { } device) return AdminProblems.NotFound("Door");
        var (token, hash) = DoorEvents.ActionUrlEndpoints.NewToken();
        device.ActionUrlTokenHash = hash;
        await db.SaveChangesAsync(ct);
        var path = DoorEvents.ActionUrlEndpoints.PathOf(device.Id);
        return TypedResults.Ok(new ActionUrlResponse(path, token, $"https://door:{token}@<gateway host>{path}?event=card&card=$card_sn&mac=$mac"));
    }

    /// <summary>An indoor monitor may hang in an apartment of its own site; a door intercom belongs to no apartment.</summary>
    private static async Task<IResult?> CheckApartmentAsync(DeviceKind kind, Guid? apartmentId, Guid siteId, NeoliaDb db, CancellationToken ct)
    {
        if (apartmentId is not { } id) return null;
        if (kind == DeviceKind.DoorIntercom) return AdminProblems.Invalid("apartmentId", "A door intercom belongs to no apartment.");
        var apartmentSite = await db.Apartments.Where(a => a.Id == id).Select(a => (Guid?)a.SiteId).SingleOrDefaultAsync(ct);
        if (apartmentSite is null) return AdminProblems.NotFound("Apartment");
        return apartmentSite == siteId ? null : AdminProblems.Invalid("apartmentId", "The apartment is in another site than the device.");
    }
}
