using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Neolia.CallApi.SipAccounts;

namespace Neolia.CallApi.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service or reaching a database.</summary>
internal sealed class NeoliaDbDesignTimeFactory : IDesignTimeDbContextFactory<NeoliaDb>
{
    public NeoliaDb CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NeoliaDb>().UseNpgsql("Host=localhost;Database=neolia", npgsql => npgsql.MapRealtimeEnums()).Options);
}
