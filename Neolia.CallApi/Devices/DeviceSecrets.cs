using Microsoft.AspNetCore.DataProtection;

namespace Neolia.CallApi.Devices;

/// <summary>
/// Encrypts a device's secrets with Data Protection (keys shared in Redis, so every replica decrypts): the door camera's
/// RTSP address and credentials (the URL is secret too: cameras often carry credentials or tokens in it), and the DTMF
/// code that opens the door (whoever has it can open the door from any call).
/// </summary>
public sealed class DeviceSecrets(IDataProtectionProvider provider)
{
    /// <summary>What a door without a configured code gets: the key most intercoms open on by default.</summary>
    public const string DefaultDoorCode = "#";

    private readonly IDataProtector _camera = provider.CreateProtector("Neolia.Devices.Camera.v1");
    private readonly IDataProtector _doorCode = provider.CreateProtector("Neolia.Devices.DoorCode.v1");

    public string? Protect(string? value) => string.IsNullOrEmpty(value) ? null : _camera.Protect(value);

    public string? Unprotect(string? protectedValue) => protectedValue is null ? null : _camera.Unprotect(protectedValue);

    public string? ProtectDoorCode(string? code) => string.IsNullOrEmpty(code) ? null : _doorCode.Protect(code);

    /// <summary>The DTMF to send to open the door: its own code, or <see cref="DefaultDoorCode"/>.</summary>
    public string DoorCodeOf(string? protectedCode) => protectedCode is null ? DefaultDoorCode : _doorCode.Unprotect(protectedCode);

    /// <summary>
    /// The door code to send, or null (logged, without the code) when the Data Protection key that encrypted it is
    /// gone: never send another code in its place.
    /// </summary>
    public string? DoorCodeOrNull(string? protectedCode, ILogger logger, string whose)
    {
        try
        {
            return DoorCodeOf(protectedCode);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            logger.LogWarning("Door code of {Whose} cannot be decrypted ({Error}): set the door's code again", whose, e.Message);
            return null;
        }
    }

    /// <summary>
    /// What an administrator is shown of a camera: its host and port only, enough to tell which camera is configured
    /// without handing out the path, query or user info where the secret parts live.
    /// </summary>
    public string? HostOf(string? protectedUrl) =>
        Unprotect(protectedUrl) is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? (uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}")
            : null;
}
