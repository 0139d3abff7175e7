using Microsoft.AspNetCore.DataProtection;

namespace Neolia.CallApi.Devices;

/// <summary>
/// Encrypts a door camera's RTSP address and credentials with Data Protection (keys shared in Redis, so every
/// replica decrypts). The URL is secret too: cameras often carry credentials or tokens in it.
/// </summary>
public sealed class CameraSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Neolia.Devices.Camera.v1");

    public string? Protect(string? value) => string.IsNullOrEmpty(value) ? null : _protector.Protect(value);

    public string? Unprotect(string? protectedValue) => protectedValue is null ? null : _protector.Unprotect(protectedValue);

    /// <summary>
    /// What an administrator is shown of a camera: its host and port only, enough to tell which camera is configured
    /// without handing out the path, query or user info where the secret parts live.
    /// </summary>
    public string? HostOf(string? protectedUrl) =>
        Unprotect(protectedUrl) is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? (uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}")
            : null;
}
