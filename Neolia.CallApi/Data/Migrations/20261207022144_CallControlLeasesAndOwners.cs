using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class CallControlLeasesAndOwners : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CallControlLeases",
                columns: table => new
                {
                    Application = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    RenewedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CallControlLeases", x => x.Application);
                });

            migrationBuilder.CreateTable(
                name: "DoorCallOwners",
                columns: table => new
                {
                    CallId = table.Column<Guid>(type: "uuid", nullable: false),
                    Application = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DoorCallOwners", x => x.CallId);
                    table.ForeignKey(
                        name: "FK_DoorCallOwners_Calls_CallId",
                        column: x => x.CallId,
                        principalTable: "Calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DoorCallOwners_Application",
                table: "DoorCallOwners",
                column: "Application");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CallControlLeases");

            migrationBuilder.DropTable(
                name: "DoorCallOwners");
        }
    }
}
