namespace Neolia.CallApi.Data;

/// <summary>An entity that belongs to one tenant: <see cref="NeoliaDb"/> scopes every query of it to the caller's tenant.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; }
}
