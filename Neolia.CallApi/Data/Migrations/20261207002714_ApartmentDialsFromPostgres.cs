using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class ApartmentDialsFromPostgres : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "neolia_apartment_dials",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(140)", maxLength: 140, nullable: false),
                    apartment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    dial = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_neolia_apartment_dials", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_neolia_apartment_dials_apartment_id",
                table: "neolia_apartment_dials",
                column: "apartment_id",
                unique: true);

            // The one place an apartment's fallback list is computed: what CallApi rings (DoorCallService), as one
            // Dial() string. Triggers call it from every table it depends on, inside the statement that changes them,
            // so the list commits (or rolls back) with the change whatever wrote it: EF, a bulk delete or a cascade.
            migrationBuilder.Sql("""
                -- Here rather than in the model: EF warns about a required relationship to an entity with a query filter.
                ALTER TABLE neolia_apartment_dials ADD CONSTRAINT "FK_neolia_apartment_dials_Apartments_apartment_id"
                    FOREIGN KEY (apartment_id) REFERENCES "Apartments" ("Id") ON DELETE CASCADE;

                CREATE FUNCTION neolia_refresh_apartment_dial(apartment uuid) RETURNS void LANGUAGE plpgsql AS $fn$
                BEGIN
                    -- One refresh of an apartment at a time: a concurrent change waits here, then reads this one's rows
                    -- (read committed: each statement sees what committed before it), so no change is lost.
                    PERFORM pg_advisory_xact_lock(hashtextextended('neolia_apartment_dials:' || apartment::text, 0));
                    INSERT INTO neolia_apartment_dials (id, apartment_id, dial)
                    SELECT t."Slug" || '/' || a."SiteId"::text || '/' || a."Number", a."Id",
                        coalesce((
                            SELECT string_agg('PJSIP/' || e.endpoint, '&' ORDER BY e.rank, e.endpoint)
                            FROM (
                                SELECT s.endpoint, min(s.rank) AS rank FROM (
                                    SELECT d."SipUsername" AS endpoint, 0 AS rank FROM "Devices" d
                                    WHERE d."ApartmentId" = a."Id" AND d."IsActive" AND d."Kind" = 'IndoorMonitor'
                                    UNION ALL
                                    SELECT u."SipUsername", 1 FROM "ApartmentMemberships" m JOIN "AspNetUsers" u ON u."Id" = m."UserId"
                                    WHERE m."ApartmentId" = a."Id" AND u."IsActive" AND u."SipUsername" IS NOT NULL
                                ) s GROUP BY s.endpoint
                            ) e), '')
                    FROM "Apartments" a JOIN "Tenants" t ON t."Id" = a."TenantId"
                    WHERE a."Id" = apartment
                    ON CONFLICT (apartment_id) DO UPDATE SET id = EXCLUDED.id, dial = EXCLUDED.dial;
                END $fn$;

                -- Devices and memberships: the apartment a row leaves and the one it joins, in id order (two moves in
                -- opposite directions take the locks in the same order).
                CREATE FUNCTION neolia_apartment_dials_follow_apartment_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE
                    left_apartment uuid;
                    joined_apartment uuid;
                    apartment uuid;
                BEGIN
                    IF TG_OP <> 'INSERT' THEN left_apartment := OLD."ApartmentId"; END IF;
                    IF TG_OP <> 'DELETE' THEN joined_apartment := NEW."ApartmentId"; END IF;
                    FOR apartment IN SELECT DISTINCT x FROM unnest(ARRAY[left_apartment, joined_apartment]) x WHERE x IS NOT NULL ORDER BY 1 LOOP
                        PERFORM neolia_refresh_apartment_dial(apartment);
                    END LOOP;
                    RETURN NULL;
                END $fn$;

                CREATE FUNCTION neolia_apartment_dials_follow_user() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE apartment uuid;
                BEGIN
                    FOR apartment IN SELECT m."ApartmentId" FROM "ApartmentMemberships" m WHERE m."UserId" = NEW."Id" ORDER BY 1 LOOP
                        PERFORM neolia_refresh_apartment_dial(apartment);
                    END LOOP;
                    RETURN NULL;
                END $fn$;

                CREATE FUNCTION neolia_apartment_dials_follow_apartment() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    PERFORM neolia_refresh_apartment_dial(NEW."Id");
                    RETURN NULL;
                END $fn$;

                CREATE FUNCTION neolia_apartment_dials_follow_tenant() RETURNS trigger LANGUAGE plpgsql AS $fn$
                DECLARE apartment uuid;
                BEGIN
                    FOR apartment IN SELECT a."Id" FROM "Apartments" a WHERE a."TenantId" = NEW."Id" ORDER BY 1 LOOP
                        PERFORM neolia_refresh_apartment_dial(apartment);
                    END LOOP;
                    RETURN NULL;
                END $fn$;

                CREATE TRIGGER neolia_apartment_dials_devices AFTER INSERT OR DELETE ON "Devices"
                    FOR EACH ROW EXECUTE FUNCTION neolia_apartment_dials_follow_apartment_id();
                CREATE TRIGGER neolia_apartment_dials_devices_update AFTER UPDATE OF "ApartmentId", "IsActive", "Kind", "SipUsername" ON "Devices"
                    FOR EACH ROW WHEN (OLD."ApartmentId" IS DISTINCT FROM NEW."ApartmentId" OR OLD."IsActive" IS DISTINCT FROM NEW."IsActive"
                        OR OLD."Kind" IS DISTINCT FROM NEW."Kind" OR OLD."SipUsername" IS DISTINCT FROM NEW."SipUsername")
                    EXECUTE FUNCTION neolia_apartment_dials_follow_apartment_id();
                CREATE TRIGGER neolia_apartment_dials_memberships AFTER INSERT OR DELETE OR UPDATE OF "ApartmentId", "UserId" ON "ApartmentMemberships"
                    FOR EACH ROW EXECUTE FUNCTION neolia_apartment_dials_follow_apartment_id();
                -- Identity saves every column of a user on each update (sign-in included): only a real change counts.
                CREATE TRIGGER neolia_apartment_dials_users AFTER UPDATE OF "IsActive", "SipUsername" ON "AspNetUsers"
                    FOR EACH ROW WHEN (OLD."IsActive" IS DISTINCT FROM NEW."IsActive" OR OLD."SipUsername" IS DISTINCT FROM NEW."SipUsername")
                    EXECUTE FUNCTION neolia_apartment_dials_follow_user();
                CREATE TRIGGER neolia_apartment_dials_apartments AFTER INSERT ON "Apartments"
                    FOR EACH ROW EXECUTE FUNCTION neolia_apartment_dials_follow_apartment();
                CREATE TRIGGER neolia_apartment_dials_apartments_update AFTER UPDATE OF "Number", "SiteId", "TenantId" ON "Apartments"
                    FOR EACH ROW WHEN (OLD."Number" IS DISTINCT FROM NEW."Number" OR OLD."SiteId" IS DISTINCT FROM NEW."SiteId" OR OLD."TenantId" IS DISTINCT FROM NEW."TenantId")
                    EXECUTE FUNCTION neolia_apartment_dials_follow_apartment();
                CREATE TRIGGER neolia_apartment_dials_tenants AFTER UPDATE OF "Slug" ON "Tenants"
                    FOR EACH ROW WHEN (OLD."Slug" IS DISTINCT FROM NEW."Slug")
                    EXECUTE FUNCTION neolia_apartment_dials_follow_tenant();

                -- Doors already there: their site as a second channel variable (the fallback's key), and every
                -- apartment's list, the seed's included.
                UPDATE ps_endpoints e SET set_var = 'NEOLIA_TENANT=' || t."Slug" || ';NEOLIA_SITE=' || d."SiteId"::text
                    FROM "Devices" d JOIN "Tenants" t ON t."Id" = d."TenantId"
                    WHERE e.id = d."SipUsername" AND d."Kind" = 'DoorIntercom';
                SELECT neolia_refresh_apartment_dial("Id") FROM "Apartments";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER neolia_apartment_dials_devices ON "Devices";
                DROP TRIGGER neolia_apartment_dials_devices_update ON "Devices";
                DROP TRIGGER neolia_apartment_dials_memberships ON "ApartmentMemberships";
                DROP TRIGGER neolia_apartment_dials_users ON "AspNetUsers";
                DROP TRIGGER neolia_apartment_dials_apartments ON "Apartments";
                DROP TRIGGER neolia_apartment_dials_apartments_update ON "Apartments";
                DROP TRIGGER neolia_apartment_dials_tenants ON "Tenants";
                DROP FUNCTION neolia_apartment_dials_follow_apartment_id();
                DROP FUNCTION neolia_apartment_dials_follow_user();
                DROP FUNCTION neolia_apartment_dials_follow_apartment();
                DROP FUNCTION neolia_apartment_dials_follow_tenant();
                DROP FUNCTION neolia_refresh_apartment_dial(uuid);
                UPDATE ps_endpoints e SET set_var = 'NEOLIA_TENANT=' || t."Slug"
                    FROM "Devices" d JOIN "Tenants" t ON t."Id" = d."TenantId"
                    WHERE e.id = d."SipUsername" AND d."Kind" = 'DoorIntercom';
                """);

            migrationBuilder.DropTable(
                name: "neolia_apartment_dials");
        }
    }
}
