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
        var connectionString = WithStatementPreparation(builder.Configuration.GetRequiredConnectionString("neolia"));
        // A pooled factory of our own (each request's context gets its caller's tenant scope; a door call's set-up fails
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

    /// <summary>
    /// What the connection string leaves unset, for the statements a ring costs in PostgreSQL:
    /// <list type="bullet">
    /// <item>Npgsql's automatic preparation: a statement run five times on a connection is prepared there, so PostgreSQL
    /// no longer parses and plans the door ring's few statements on every ring (at most 100 per connection, least
    /// used evicted).</item>
    /// <item>No reset when a connection goes back to the pool: Npgsql otherwise sends <c>DISCARD ALL</c> on its next use,
    /// about ten per ring (EF opens and closes the connection around each command), and it would drop the prepared
    /// statements. CallApi never changes a pooled session's state (no SET, LISTEN, advisory locks or temporary tables: the door call
    /// commands' LISTEN has a connection of its own, outside the pool; the
    /// migration lock is a transaction's), so there is nothing to reset.</item>
    /// </list>
    /// </summary>
    internal static string WithStatementPreparation(string connectionString)
    {
        // Npgsql's own builder reports every keyword it knows as present: the generic one sees what the string says.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Given(string keyword) => given.ContainsKey(keyword) || given.ContainsKey(keyword.Replace(" ", "", StringComparison.Ordinal));
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Given("Max Auto Prepare")) settings.MaxAutoPrepare = 100;
        if (!Given("No Reset On Close")) settings.NoResetOnClose = true;
        return settings.ConnectionString;
    }

    /// <summary>Platform administrators see every tenant; anyone else their own; an anonymous caller none.</summary>
    public static TenantScope ScopeOf(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return TenantScope.None;
        if (user.IsInRole(NeoliaRoles.PlatformAdmin)) return TenantScope.All;
        return user.GetTenantId() is { } tenantId ? TenantScope.Of(tenantId) : TenantScope.None;
    }
}
