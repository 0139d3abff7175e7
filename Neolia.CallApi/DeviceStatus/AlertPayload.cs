using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Data;
using Neolia.CallApi.Devices;

namespace Neolia.CallApi.DeviceStatus;

/// <summary>What a tenant's webhook receives for one alert (JSON, camelCase). <see cref="Id"/> is the alert's: a receiver that sees it twice (a retry after a lost answer) acts once.</summary>
public sealed record AlertPayload(
    Guid Id, string Type, DateTimeOffset RaisedAt, DateTimeOffset Since, int Changes, Guid TenantId, AlertSite Site, AlertDevice Device)
{
    public static async Task<AlertPayload?> OfAsync(NeoliaDb db, Guid alertId, CancellationToken ct) =>
        await (from a in db.Set<DeviceAlert>().AsNoTracking()
               where a.Id == alertId
               join d in db.Devices on a.DeviceId equals d.Id
               join s in db.Sites on a.SiteId equals s.Id
               select new AlertPayload(a.Id, a.Kind, a.RaisedAt, a.Since, a.Changes, a.TenantId,
                   new AlertSite(s.Id, s.Name),
                   new AlertDevice(d.Id, d.Name, d.Kind == DeviceKind.DoorIntercom ? DeviceAdminEndpoints.DoorIntercom : DeviceAdminEndpoints.IndoorMonitor, d.SipUsername)))
            .SingleOrDefaultAsync(ct);
}

public sealed record AlertSite(Guid Id, string Name);

public sealed record AlertDevice(Guid Id, string Name, string Kind, string SipUsername);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(AlertPayload))]
internal sealed partial class AlertJson : JsonSerializerContext;
