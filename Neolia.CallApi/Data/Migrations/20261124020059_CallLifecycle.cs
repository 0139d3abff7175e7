using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class CallLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AnsweredSeconds",
                table: "Calls",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DialedSeconds",
                table: "Calls",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DoorOpenedAt",
                table: "Calls",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "HangupCause",
                table: "Calls",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CallDeclines",
                columns: table => new
                {
                    CallId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeclinedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallDeclines", x => new { x.CallId, x.UserId });
                    table.ForeignKey(
                        name: "FK_CallDeclines_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CallDeclines_Calls_CallId",
                        column: x => x.CallId,
                        principalTable: "Calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_CallDeclines_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "DoorOpenings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    CallId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    OpenedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DoorOpenings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DoorOpenings_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_DoorOpenings_Calls_CallId",
                        column: x => x.CallId,
                        principalTable: "Calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_DoorOpenings_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Calls_ExpiresAt",
                table: "Calls",
                column: "ExpiresAt",
                filter: "\"Status\" = 'ringing'");

            migrationBuilder.CreateIndex(
                name: "IX_CallDeclines_TenantId",
                table: "CallDeclines",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_CallDeclines_UserId",
                table: "CallDeclines",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_DoorOpenings_CallId",
                table: "DoorOpenings",
                column: "CallId");

            migrationBuilder.CreateIndex(
                name: "IX_DoorOpenings_TenantId",
                table: "DoorOpenings",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_DoorOpenings_UserId",
                table: "DoorOpenings",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CallDeclines");

            migrationBuilder.DropTable(
                name: "DoorOpenings");

            migrationBuilder.DropIndex(
                name: "IX_Calls_ExpiresAt",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "AnsweredSeconds",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "DialedSeconds",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "DoorOpenedAt",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "HangupCause",
                table: "Calls");
        }
    }
}
