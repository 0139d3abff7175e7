using Microsoft.EntityFrameworkCore.Migrations;
using Neolia.CallApi.SipAccounts;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class DeviceSipTransportAndSrtp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:Enum:ast_bool_values", "0,1,false,no,off,on,true,yes")
                .Annotation("Npgsql:Enum:pjsip_auth_type_values_v2", "google_oauth,md5,userpass")
                .Annotation("Npgsql:Enum:pjsip_dtmf_mode_values_v3", "auto,auto_info,inband,info,rfc4733")
                .Annotation("Npgsql:Enum:pjsip_media_encryption_values", "dtls,no,sdes")
                .OldAnnotation("Npgsql:Enum:ast_bool_values", "0,1,false,no,off,on,true,yes")
                .OldAnnotation("Npgsql:Enum:pjsip_auth_type_values_v2", "google_oauth,md5,userpass")
                .OldAnnotation("Npgsql:Enum:pjsip_dtmf_mode_values_v3", "auto,auto_info,inband,info,rfc4733");

            migrationBuilder.AddColumn<PjsipMediaEncryption>(
                name: "media_encryption",
                table: "ps_endpoints",
                type: "pjsip_media_encryption_values",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MediaEncryption",
                table: "Devices",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                // Devices made before: plain RTP, as Asterisk had them.
                defaultValue: "None");

            migrationBuilder.AddColumn<string>(
                name: "SipTransport",
                table: "Devices",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                // Devices made before registered over UDP: they keep it.
                defaultValue: "Udp");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "media_encryption",
                table: "ps_endpoints");

            migrationBuilder.DropColumn(
                name: "MediaEncryption",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "SipTransport",
                table: "Devices");

            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:Enum:ast_bool_values", "0,1,false,no,off,on,true,yes")
                .Annotation("Npgsql:Enum:pjsip_auth_type_values_v2", "google_oauth,md5,userpass")
                .Annotation("Npgsql:Enum:pjsip_dtmf_mode_values_v3", "auto,auto_info,inband,info,rfc4733")
                .OldAnnotation("Npgsql:Enum:ast_bool_values", "0,1,false,no,off,on,true,yes")
                .OldAnnotation("Npgsql:Enum:pjsip_auth_type_values_v2", "google_oauth,md5,userpass")
                .OldAnnotation("Npgsql:Enum:pjsip_dtmf_mode_values_v3", "auto,auto_info,inband,info,rfc4733")
                .OldAnnotation("Npgsql:Enum:pjsip_media_encryption_values", "dtls,no,sdes");
        }
    }
}
