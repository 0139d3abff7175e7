using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class DoorVideoAndSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CallMedia",
                columns: table => new
                {
                    CallId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    IngressId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    PublishUrl = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    VideoState = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    VideoUnavailableReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Snapshot = table.Column<byte[]>(type: "bytea", nullable: true),
                    SnapshotWidth = table.Column<int>(type: "integer", nullable: true),
                    SnapshotHeight = table.Column<int>(type: "integer", nullable: true),
                    SnapshotTakenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallMedia", x => x.CallId);
                    table.ForeignKey(
                        name: "FK_CallMedia_Calls_CallId",
                        column: x => x.CallId,
                        principalTable: "Calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CallMedia_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SiteRelays",
                columns: table => new
                {
                    SiteId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    CredentialHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SiteRelays", x => x.SiteId);
                    table.ForeignKey(
                        name: "FK_SiteRelays_Sites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "Sites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_SiteRelays_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CallMedia_SnapshotTakenAt",
                table: "CallMedia",
                column: "SnapshotTakenAt",
                filter: "\"Snapshot\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_CallMedia_TenantId",
                table: "CallMedia",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_SiteRelays_TenantId",
                table: "SiteRelays",
                column: "TenantId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CallMedia");

            migrationBuilder.DropTable(
                name: "SiteRelays");
        }
    }
}
