using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Neolia.CallApi.SipFallback;

/// <summary>
/// What the dialplan rings when no CallApi takes a door call (containers/asterisk/extensions.conf, [neolia-door]):
/// one row per apartment, the Dial() string of its active indoor monitors and its active residents' softphones
/// (<c>PJSIP/a&amp;PJSIP/b</c>), read by Asterisk with <c>REALTIME_FIELD(neolia_apartment_dials,id,&lt;key&gt;,dial)</c>.
/// The rows are never written from C#: PostgreSQL keeps them (function <c>neolia_refresh_apartment_dial</c>, called by
/// triggers on devices, memberships, users, apartments and tenants; migration <c>ApartmentDialsFromPostgres</c>), so
/// every write path, database cascades and bulk statements included, changes the row in its own transaction.
/// </summary>
public sealed class ApartmentDial
{
    /// <summary>The realtime family and its table (extconfig.conf maps one to the other under the same name).</summary>
    public const string Table = "neolia_apartment_dials";

    /// <summary>The column the dialplan matches (<see cref="KeyOf"/>).</summary>
    public const string KeyColumn = "id";

    /// <summary>The column the dialplan reads: the Dial() string, empty when the apartment has nothing to ring.</summary>
    public const string DialColumn = "dial";

    /// <summary>
    /// The door's channel variable naming its site (set_var of the door's endpoint, <see cref="SipAccounts.SipAccountProfiles"/>):
    /// an apartment number is unique per site, not per tenant, so the key needs the door's site as CallApi does.
    /// </summary>
    public const string SiteVariable = "NEOLIA_SITE";

    /// <summary>
    /// The row's key: <c>&lt;tenant slug&gt;/&lt;site id&gt;/&lt;apartment number&gt;</c>, built by the dialplan from the door's own
    /// account (NEOLIA_TENANT, NEOLIA_SITE) and the dialled number, so a door reaches only its own site's apartments.
    /// Must stay equal to the SQL of <c>neolia_refresh_apartment_dial</c>.
    /// </summary>
    public static string KeyOf(string tenantSlug, Guid siteId, string apartmentNumber) => $"{tenantSlug}/{siteId:D}/{apartmentNumber}";

    public required string Id { get; set; }
    public Guid ApartmentId { get; set; }
    public required string Dial { get; set; }
}

internal sealed class ApartmentDialConfiguration : IEntityTypeConfiguration<ApartmentDial>
{
    public void Configure(EntityTypeBuilder<ApartmentDial> e)
    {
        e.ToTable(ApartmentDial.Table);
        e.HasKey(x => x.Id);
        // slug (63) + '/' + uuid (36) + '/' + number (32)
        e.Property(x => x.Id).HasColumnName(ApartmentDial.KeyColumn).HasMaxLength(140);
        e.Property(x => x.ApartmentId).HasColumnName("apartment_id");
        e.Property(x => x.Dial).HasColumnName(ApartmentDial.DialColumn).HasColumnType("text");
        e.HasIndex(x => x.ApartmentId).IsUnique();
        // The foreign key to Apartments (ON DELETE CASCADE: a deleted apartment takes its row with it) is written in the
        // migration, not here: EF warns about a required relationship to an entity with a query filter (tenant scope).
    }
}
