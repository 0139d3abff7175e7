using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Neolia.MediaRelay.Relaying;

/// <summary>The relay's settings (section <c>Relay</c>).</summary>
public sealed class RelayOptions
{
    public const string Section = "Relay";
    public const string StackMode = "stack";
    public const string SiteMode = "site";

    /// <summary><c>stack</c>: a replica in the stack (Redis, private network); <c>site</c>: a box inside a building (CallApi through the gateway only).</summary>
    [AllowedValues(StackMode, SiteMode, ErrorMessage = "Relay:Mode must be 'stack' or 'site'.")]
    public string Mode { get; set; } = StackMode;

    /// <summary>CallApi: <c>http://callapi</c> (service discovery) in the stack, the gateway's public address on a site box.</summary>
    [Required(ErrorMessage = "Relay:CallApiUrl is required.")]
    public string CallApiUrl { get; set; } = "http://callapi";

    /// <summary>Stack mode: CallApi's <c>Media:RelaySecret</c>.</summary>
    public string? Secret { get; set; }

    /// <summary>Site mode: the building this box serves, and the credential <c>POST /api/admin/sites/{id}/relay</c> gave.</summary>
    public Guid? SiteId { get; set; }
    public string? Credential { get; set; }

    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>Streams one replica carries at most; calls beyond it are left to other replicas.</summary>
    [Range(1, 10_000, ErrorMessage = "Relay:MaxStreams must be between 1 and 10000.")]
    public int MaxStreams { get; set; } = 64;

    /// <summary>Stack mode: how long a call's lease outlives its replica (renewed every third of it while streaming).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Relay:LeaseTime must be between 1 s and 1 min.")]
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Stack mode: how often a replica asks CallApi which calls need video (takeover of dead replicas' calls, missed events).</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:01:00", ErrorMessage = "Relay:SweepInterval must be between 200 ms and 1 min.")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A stream with no new frame for this long is restarted (the camera stalled).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Relay:StallTimeout must be between 1 s and 1 min.")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest pause between two attempts at an unreachable camera (the first retry waits 1 s, then doubling).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "Relay:MaxRetryDelay must be between 1 s and 1 min.")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(4);

    public bool IsSite => Mode == SiteMode;
}

/// <summary>The settings each mode cannot run without.</summary>
internal sealed class RelayOptionsValidator : IValidateOptions<RelayOptions>
{
    public ValidateOptionsResult Validate(string? name, RelayOptions o)
    {
        if (!Uri.TryCreate(o.CallApiUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            return ValidateOptionsResult.Fail("Relay:CallApiUrl must be an absolute http:// or https:// URL.");
        if (!o.IsSite && o.Secret is not { Length: >= 32 })
            return ValidateOptionsResult.Fail("Relay:Secret is required in stack mode (CallApi's Media:RelaySecret, at least 32 characters).");
        if (o.IsSite && (o.SiteId is null || string.IsNullOrWhiteSpace(o.Credential)))
            return ValidateOptionsResult.Fail("Relay:SiteId and Relay:Credential are required in site mode (POST /api/admin/sites/{id}/relay gives them).");
        return ValidateOptionsResult.Success;
    }
}
