using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class DoorLogAndAppOpening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "ActionUrlTokenHash",
                table: "Devices",
                type: "bytea",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AppOpening",
                table: "Devices",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "off");

            migrationBuilder.AddColumn<string>(
                name: "DoorHttpPasswordProtected",
                table: "Devices",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DoorHttpRelay",
                table: "Devices",
                type: "integer",
                nullable: false,
                defaultValue: 1); // existing doors open relay 1, as a new one does

            migrationBuilder.AddColumn<string>(
                name: "DoorHttpUrlProtected",
                table: "Devices",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DoorHttpUsernameProtected",
                table: "Devices",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "door_events",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    SiteId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                    OccurredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Method = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    ApartmentId = table.Column<Guid>(type: "uuid", nullable: true),
                    Result = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    CallId = table.Column<Guid>(type: "uuid", nullable: true),
                    Snapshot = table.Column<byte[]>(type: "bytea", nullable: true),
                    Details = table.Column<string>(type: "jsonb", nullable: true),
                    ClaimedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_door_events", x => x.Id);
                    table.ForeignKey(
                        name: "FK_door_events_Devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "Devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_door_events_Sites_SiteId",
                        column: x => x.SiteId,
                        principalTable: "Sites",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_door_events_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_door_events_ApartmentId_OccurredAt",
                table: "door_events",
                columns: new[] { "ApartmentId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_door_events_DeviceId_OccurredAt",
                table: "door_events",
                columns: new[] { "DeviceId", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_door_events_OccurredAt",
                table: "door_events",
                column: "OccurredAt");

            migrationBuilder.CreateIndex(
                name: "IX_door_events_SiteId_Result",
                table: "door_events",
                columns: new[] { "SiteId", "Result" },
                filter: "\"Result\" = 'pending'");

            migrationBuilder.CreateIndex(
                name: "IX_door_events_TenantId",
                table: "door_events",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_door_events_UserId_OccurredAt",
                table: "door_events",
                columns: new[] { "UserId", "OccurredAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "door_events");

            migrationBuilder.DropColumn(
                name: "ActionUrlTokenHash",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "AppOpening",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "DoorHttpPasswordProtected",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "DoorHttpRelay",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "DoorHttpUrlProtected",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "DoorHttpUsernameProtected",
                table: "Devices");
        }
    }
}
