using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class SeveralAsterisks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_CallControlLeases",
                table: "CallControlLeases");

            migrationBuilder.AddColumn<string>(
                name: "Asterisk",
                table: "DoorCallOwners",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Asterisk",
                table: "CallControlLeases",
                type: "character varying(40)",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddPrimaryKey(
                name: "PK_CallControlLeases",
                table: "CallControlLeases",
                columns: new[] { "Application", "Asterisk" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_CallControlLeases",
                table: "CallControlLeases");

            migrationBuilder.DropColumn(
                name: "Asterisk",
                table: "DoorCallOwners");

            migrationBuilder.DropColumn(
                name: "Asterisk",
                table: "CallControlLeases");

            migrationBuilder.AddPrimaryKey(
                name: "PK_CallControlLeases",
                table: "CallControlLeases",
                column: "Application");
        }
    }
}
