using System.Linq.Expressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.Apartments;
using Neolia.CallApi.Auth;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Devices;
using Neolia.CallApi.Sites;
using Neolia.CallApi.Tenants;
using Neolia.CallApi.Users;

namespace Neolia.CallApi.Data;

/// <summary>
/// The system of record. Every <see cref="ITenantOwned"/> entity is filtered to <see cref="TenantScope"/>:
/// a context that was given no scope sees no tenant's data at all, so forgetting to scope fails closed.
/// </summary>
public sealed class NeoliaDb(DbContextOptions<NeoliaDb> options) : IdentityDbContext<User, Role, Guid>(options), IDataProtectionKeyContext
{
    /// <summary>Whose data this context may see. Set per request (pooled contexts are reset to <see cref="TenantScope.None"/>).</summary>
    public TenantScope TenantScope { get; set; } = TenantScope.None;

    /// <summary>
    /// Whether a failed command is given up at once instead of retried (<see cref="NeoliaExecutionStrategy"/>): for
    /// callers that have a fallback and no time, such as a door call being set up (the dialplan rings the SIP devices itself). Set per request, like the scope.
    /// </summary>
    public bool FailFast { get; set; }

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<Device> Devices => Set<Device>();
    public DbSet<Apartment> Apartments => Set<Apartment>();
    public DbSet<ApartmentMembership> ApartmentMemberships => Set<ApartmentMembership>();
    public DbSet<Call> Calls => Set<Call>();
    public DbSet<CallDecline> CallDeclines => Set<CallDecline>();
    public DbSet<DoorOpening> DoorOpenings => Set<DoorOpening>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<TokenRevocation> TokenRevocations => Set<TokenRevocation>();
    public DbSet<PendingCallEvent> PendingCallEvents => Set<PendingCallEvent>();

    /// <summary>The Data Protection key ring (each key encrypted under the configured key-encryption key).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        
        builder.ApplyConfigurationsFromAssembly(typeof(NeoliaDb).Assembly);

        foreach (var entity in builder.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
        {
            builder.Entity(entity.ClrType).HasQueryFilter(TenantFilter(entity.ClrType));
        }
    }

    // e => TenantScope.AllTenants || e.TenantId == TenantScope.TenantId, read from this context at query time.
    private LambdaExpression TenantFilter(Type entityType)
    {
        var entity = Expression.Parameter(entityType, "e");
        var scope = Expression.Property(Expression.Constant(this), nameof(TenantScope));
        var body = Expression.OrElse(
            Expression.Property(scope, nameof(TenantScope.AllTenants)),
            Expression.Equal(
                Expression.Convert(Expression.Property(entity, nameof(ITenantOwned.TenantId)), typeof(Guid?)),
                Expression.Property(scope, nameof(TenantScope.TenantId))));
        return Expression.Lambda(body, entity);
    }
}

/// <summary>The tenants a <see cref="NeoliaDb"/> may read: one, all (platform administration, door calls), or none.</summary>
public sealed record TenantScope(Guid? TenantId, bool AllTenants)
{
    public static readonly TenantScope None = new(null, false);
    public static readonly TenantScope All = new(null, true);
    public static TenantScope Of(Guid tenantId) => new(tenantId, false);
}
