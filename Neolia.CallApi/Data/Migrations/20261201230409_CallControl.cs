using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class CallControl : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Door codes are now encrypted (DoorCodeProtected); the plaintext ones cannot be encrypted in SQL and are
            // dropped: such doors use the default code until an administrator sets theirs again.
            migrationBuilder.DropColumn(
                name: "DoorCode",
                table: "Devices");

            migrationBuilder.AddColumn<string>(
                name: "Result",
                table: "DoorOpenings",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "dtmf_not_sent");

            migrationBuilder.AddColumn<string>(
                name: "DoorCodeProtected",
                table: "Devices",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Control",
                table: "Calls",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "dialplan");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Result",
                table: "DoorOpenings");

            migrationBuilder.DropColumn(
                name: "DoorCodeProtected",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "Control",
                table: "Calls");

            migrationBuilder.AddColumn<string>(
                name: "DoorCode",
                table: "Devices",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);
        }
    }
}
