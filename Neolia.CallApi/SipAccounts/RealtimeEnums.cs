using NpgsqlTypes;

namespace Neolia.CallApi.SipAccounts;

// PostgreSQL enum types of Asterisk's realtime schema (contrib/ast-db-manage), with Asterisk's names and labels in
// Asterisk's order, so the tables accept exactly what Asterisk's own schema accepts.

/// <summary><c>ast_bool_values</c>: every spelling of a boolean Asterisk parses. Neolia writes yes and no.</summary>
public enum AstBool
{
    [PgName("0")] Zero,
    [PgName("1")] One,
    [PgName("off")] Off,
    [PgName("on")] On,
    [PgName("false")] False,
    [PgName("true")] True,
    [PgName("no")] No,
    [PgName("yes")] Yes,
}

/// <summary><c>pjsip_dtmf_mode_values_v3</c>.</summary>
public enum PjsipDtmfMode
{
    [PgName("rfc4733")] Rfc4733,
    [PgName("inband")] Inband,
    [PgName("info")] Info,
    [PgName("auto")] Auto,
    [PgName("auto_info")] AutoInfo,
}

/// <summary><c>pjsip_auth_type_values_v2</c>. Neolia stores digests only: <c>md5</c> with <c>md5_cred</c>.</summary>
public enum PjsipAuthType
{
    [PgName("md5")] Md5,
    [PgName("userpass")] UserPass,
    [PgName("google_oauth")] GoogleOauth,
}

/// <summary><c>pjsip_media_encryption_values</c>. Neolia writes no (plain RTP) and sdes; WebRTC softphones get dtls from webrtc=yes.</summary>
public enum PjsipMediaEncryption
{
    [PgName("no")] No,
    [PgName("sdes")] Sdes,
    [PgName("dtls")] Dtls,
}

public static class RealtimeEnums
{
    public const string AstBoolType = "ast_bool_values";
    public const string DtmfModeType = "pjsip_dtmf_mode_values_v3";
    public const string AuthTypeType = "pjsip_auth_type_values_v2";
    public const string MediaEncryptionType = "pjsip_media_encryption_values";

    /// <summary>Maps the enums for EF Core and for Npgsql's parameters (both must know them to write the columns).</summary>
    public static Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder MapRealtimeEnums(
        this Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MapEnum<AstBool>(AstBoolType).MapEnum<PjsipDtmfMode>(DtmfModeType).MapEnum<PjsipAuthType>(AuthTypeType)
            .MapEnum<PjsipMediaEncryption>(MediaEncryptionType);
}
