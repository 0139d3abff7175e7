using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class OneWayIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Control",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "DialStatus",
                table: "Calls");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Control",
                table: "Calls",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "dialplan");

            migrationBuilder.AddColumn<string>(
                name: "DialStatus",
                table: "Calls",
                type: "character varying(32)",
                maxLength: 32,
                nullable: true);
        }
    }
}
