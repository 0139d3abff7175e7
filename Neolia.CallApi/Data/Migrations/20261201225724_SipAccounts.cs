using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Neolia.CallApi.SipAccounts;

#nullable disable

namespace Neolia.CallApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class SipAccounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:Enum:ast_bool_values", "0,1,false,no,off,on,true,yes")
                .Annotation("Npgsql:Enum:pjsip_auth_type_values_v2", "google_oauth,md5,userpass")
                .Annotation("Npgsql:Enum:pjsip_dtmf_mode_values_v3", "auto,auto_info,inband,info,rfc4733");

            migrationBuilder.AddColumn<string>(
                name: "SipPasswordProtected",
                table: "AspNetUsers",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ps_aors",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    max_contacts = table.Column<int>(type: "integer", nullable: true),
                    remove_existing = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    qualify_frequency = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ps_aors", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ps_auths",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    auth_type = table.Column<PjsipAuthType>(type: "pjsip_auth_type_values_v2", nullable: false),
                    username = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    realm = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    md5_cred = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ps_auths", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ps_contacts",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    uri = table.Column<string>(type: "character varying(511)", maxLength: 511, nullable: true),
                    expiration_time = table.Column<long>(type: "bigint", nullable: true),
                    qualify_frequency = table.Column<int>(type: "integer", nullable: true),
                    outbound_proxy = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    path = table.Column<string>(type: "text", nullable: true),
                    user_agent = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    qualify_timeout = table.Column<double>(type: "double precision", nullable: true),
                    reg_server = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    authenticate_qualify = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    via_addr = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    via_port = table.Column<int>(type: "integer", nullable: true),
                    call_id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    endpoint = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    prune_on_boot = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    qualify_2xx_only = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    registered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ps_contacts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ps_endpoints",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    transport = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    aors = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    auth = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    context = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    disallow = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    allow = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    direct_media = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    dtmf_mode = table.Column<PjsipDtmfMode>(type: "pjsip_dtmf_mode_values_v3", nullable: true),
                    force_rport = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    rewrite_contact = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    rtp_symmetric = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    rtp_keepalive = table.Column<int>(type: "integer", nullable: true),
                    rtp_timeout = table.Column<int>(type: "integer", nullable: true),
                    callerid = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    send_rpid = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    allow_subscribe = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    webrtc = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    dtls_auto_generate_cert = table.Column<AstBool>(type: "ast_bool_values", nullable: true),
                    set_var = table.Column<string>(type: "text", nullable: true),
                    tenantid = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ps_endpoints", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ps_contacts_endpoint",
                table: "ps_contacts",
                column: "endpoint");

            migrationBuilder.CreateIndex(
                name: "ps_contacts_qualifyfreq_exp",
                table: "ps_contacts",
                columns: new[] { "qualify_frequency", "expiration_time" });

            migrationBuilder.CreateIndex(
                name: "ps_contacts_uq",
                table: "ps_contacts",
                columns: new[] { "id", "reg_server" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ps_aors");

            migrationBuilder.DropTable(
                name: "ps_auths");

            migrationBuilder.DropTable(
                name: "ps_contacts");

            migrationBuilder.DropTable(
                name: "ps_endpoints");

            migrationBuilder.DropColumn(
                name: "SipPasswordProtected",
                table: "AspNetUsers");

            migrationBuilder.AlterDatabase()
                .OldAnnotation("Npgsql:Enum:ast_bool_values", "0,1,false,no,off,on,true,yes")
                .OldAnnotation("Npgsql:Enum:pjsip_auth_type_values_v2", "google_oauth,md5,userpass")
                .OldAnnotation("Npgsql:Enum:pjsip_dtmf_mode_values_v3", "auto,auto_info,inband,info,rfc4733");
        }
    }
}
