using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Neolia.CallApi.SipAccounts;
using Neolia.CallApi.Users;
using Neolia.ServiceDefaults.Authentication;
using Npgsql;

namespace Neolia.CallApi.Data;

public static class DataExtensions
{
    /// <summary>
    /// PostgreSQL (connection string <c>neolia</c>) through a pooled context whose tenant scope is set from the
    /// caller for every request, plus ASP.NET Core Identity on the same database.
    /// </summary>
    public static IHostApplicationBuilder AddNeoliaData(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetRequiredConnectionString("neolia");
        // A pooled factory of our own (each request's context gets its caller's tenant scope; a webhook's context fails
        // fast), enriched by Aspire's Npgsql EF Core integration: it keeps our retrying strategy and adds the readiness
        // check, tracing and metrics.
        builder.Services.AddPooledDbContextFactory<NeoliaDb>(options => options.UseNpgsql(connectionString,
            npgsql => npgsql.ExecutionStrategy(dependencies => new NeoliaExecutionStrategy(dependencies)).MapRealtimeEnums()));
        builder.EnrichNpgsqlDbContext<NeoliaDb>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped(sp =>
        {
            var db = sp.GetRequiredService<IDbContextFactory<NeoliaDb>>().CreateDbContext();
            db.TenantScope = ScopeOf(sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User);
            db.FailFast = false;
            return db;
        });

        builder.Services.AddIdentityCore<User>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireNonAlphanumeric = false;
                // No lockout anyone could trigger by guessing: SignInThrottle slows guessing per account and client instead.
                options.Lockout.AllowedForNewUsers = false;
            })
            .AddRoles<Role>()
            .AddEntityFrameworkStores<NeoliaDb>();

        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }

    /// <summary>Platform administrators see every tenant; anyone else their own; an anonymous caller none.</summary>
    public static TenantScope ScopeOf(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return TenantScope.None;
        if (user.IsInRole(NeoliaRoles.PlatformAdmin)) return TenantScope.All;
        return user.GetTenantId() is { } tenantId ? TenantScope.Of(tenantId) : TenantScope.None;
    }
}
