namespace Neolia.ServiceDefaults.Authentication;

public static class NeoliaRoles
{
    public const string PlatformAdmin = "platform-admin";
    public const string TenantAdmin = "tenant-admin";
    public const string Resident = "resident";

    public static readonly IReadOnlyList<string> All = [PlatformAdmin, TenantAdmin, Resident];
}
