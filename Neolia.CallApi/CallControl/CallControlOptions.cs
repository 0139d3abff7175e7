using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// How CallApi drives door calls over ARI (section <c>CallControl</c>): the Asterisk servers it connects to
/// (<see cref="Asterisks"/>) and how calls are handled. With no Asterisk configured this replica takes no door call: the
/// dialplan's StasisBroadcast() offers it to the other replicas, or, none claiming it within 1 s, rings the apartment's
/// SIP phones itself. Door calls reach CallApi only this way.
/// </summary>
public sealed class CallControlOptions : IValidatableObject
{
    public const string Section = "CallControl";

    /// <summary>
    /// Every Asterisk server doors call into (<c>CallControl:Asterisks:0:…</c>, <c>…:1:…</c>). Each replica connects to
    /// each of them, and a call is controlled on the Asterisk it arrived on.
    /// </summary>
    public List<AsteriskServerOptions> Asterisks { get; set; } = [];

    /// <summary>
    /// The prefix of every replica's Stasis application: the dialplan's <c>StasisBroadcast(…,^neolia-,…)</c> offers a
    /// door call to every application named <c>{prefix}-…</c> (extensions.conf).
    /// </summary>
    [Required(ErrorMessage = "CallControl:StasisApplication is required.")]
    [RegularExpression("^[A-Za-z0-9_]{1,32}$", ErrorMessage = "CallControl:StasisApplication must be letters, digits or '_' (no '-': it separates the replica id).")]
    public string StasisApplication { get; set; } = "neolia";

    /// <summary>
    /// This replica's id: its Stasis application is <c>{StasisApplication}-{ReplicaId}</c>, the name Asterisk's logs and
    /// <c>ari show apps</c> show. Default: the host name and process id, unique among replicas and stable for the process's
    /// life. Set it to a stable name (a pod's) for a replica restarted under its id to take its calls back.
    /// </summary>
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "CallControl:ReplicaId must be letters, digits, '.', '-' or '_' (at most 64).")]
    public string ReplicaId { get; set; } = DefaultReplicaId();

    /// <summary>This replica's Stasis application (the ARI app it registers, claims with and originates into).</summary>
    public string Application => $"{StasisApplication}-{ReplicaId}";

    /// <summary>How long a broadcast door call may wait for a claim before the dialplan rings the devices itself (extensions.conf: 1000 ms).</summary>
    public static readonly TimeSpan BroadcastTimeout = TimeSpan.FromSeconds(1);

    private static string DefaultReplicaId()
    {
        var host = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());
        return $"{(host.Length > 40 ? host[..40] : host)}-{Environment.ProcessId}";
    }

    /// <summary>The PJSIP account LiveKit SIP authenticates with when it calls an Asterisk (endpoint <c>livekit</c>, the same on every Asterisk: the accounts are in PostgreSQL).</summary>
    public string? LiveKitTrunkUsername { get; set; }

    /// <summary>Its password (secret: never logged).</summary>
    public string? LiveKitTrunkPassword { get; set; }

    /// <summary>How long to wait for LiveKit SIP's leg to reach Asterisk after an app answered, before the call fails (503).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "CallControl:LiveKitJoinTimeout must be between 1 s and 1 min.")]
    public TimeSpan LiveKitJoinTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before reconnecting a lost event stream, and between subscription attempts (at most 1 s is used: call control must be back within a second of Asterisk's start).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "CallControl:ReconnectDelay must be between 100 ms and 1 min.")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Door calls being set up at once (recorded, residents rung, SIP devices dialled). More wait for a slot at most
    /// <see cref="CallSetupQueueTimeout"/>, then go back to the dialplan, which rings the apartment's SIP devices itself.
    /// </summary>
    [Range(1, 10_000, ErrorMessage = "CallControl:MaxCallsInSetup must be between 1 and 10000.")]
    public int MaxCallsInSetup { get; set; } = 64;

    /// <summary>How long a door call may wait for a set-up slot (<see cref="MaxCallsInSetup"/>) before it goes to the dialplan's fallback.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05", ErrorMessage = "CallControl:CallSetupQueueTimeout must be between 0 and 5 s.")]
    public TimeSpan CallSetupQueueTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long recording a door call may take (the database) before it goes to the dialplan's fallback.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:10", ErrorMessage = "CallControl:CallSetupBudget must be between 100 ms and 10 s.")]
    public TimeSpan CallSetupBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether CallApi warms the door call's database path up before it takes traffic (<see cref="CallSetupWarmup"/>).</summary>
    public bool WarmUpAtStart { get; set; } = true;

    /// <summary>
    /// A replica that has not renewed its control lease for this long (killed, hung, cut off from Asterisk or the
    /// database) loses its calls: another replica takes each over (its SIP devices rung again, its bridge kept). A
    /// replica renews every quarter of it and checks, before acting on a call, that the call is still its own when its
    /// last renewal is older than half of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:01:00", ErrorMessage = "CallControl:ControlLeaseTimeout must be between 500 ms and 1 min.")]
    public TimeSpan ControlLeaseTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    public bool Enabled => Asterisks.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < Asterisks.Count; i++)
        {
            var a = Asterisks[i];
            var key = $"CallControl:Asterisks:{i}";
            if (a.Name is null || !AsteriskServerOptions.NamePattern().IsMatch(a.Name))
                yield return new($"{key}:Name is required: letters, digits, '.', '-' or '_' (at most 40), the Asterisk's systemname (asterisk.conf).", [nameof(Asterisks)]);
            if (!Uri.TryCreate(a.AriUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                yield return new($"{key}:AriUrl must be an absolute http:// or https:// URL (Asterisk's HTTP server).", [nameof(Asterisks)]);
            if (string.IsNullOrWhiteSpace(a.AriUsername))
                yield return new($"{key}:AriUsername is required (the user of ari.conf).", [nameof(Asterisks)]);
            if (string.IsNullOrEmpty(a.AriPassword) || a.AriPassword.Length < 16)
                yield return new($"{key}:AriPassword is required and must be at least 16 characters.", [nameof(Asterisks)]);
            if (!string.IsNullOrWhiteSpace(a.LiveKitTrunkAddress) && (string.IsNullOrWhiteSpace(LiveKitTrunkUsername) || string.IsNullOrEmpty(LiveKitTrunkPassword) || LiveKitTrunkPassword.Length < 16))
                yield return new($"CallControl:LiveKitTrunkUsername and CallControl:LiveKitTrunkPassword (at least 16 characters) are required with {key}:LiveKitTrunkAddress.", [nameof(LiveKitTrunkPassword)]);
        }
        foreach (var twice in Asterisks.Where(a => a.Name is not null).GroupBy(a => a.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            yield return new($"CallControl:Asterisks has the name '{twice.Key}' more than once: each Asterisk needs its own (its systemname).", [nameof(Asterisks)]);
    }
}

/// <summary>One Asterisk server doors call into (an item of <c>CallControl:Asterisks</c>).</summary>
public sealed partial class AsteriskServerOptions
{
    /// <summary>
    /// Its name, which must be the Asterisk's <c>systemname</c> (asterisk.conf); a single Asterisk may have none, several
    /// must each have theirs. Asterisk starts every channel id with it (so ids never collide between servers) and writes it as a registration's
    /// <c>reg_server</c> in ps_contacts (so CallApi knows which Asterisk a door is registered on). CallApi checks it at
    /// each connection (<c>GET /ari/asterisk/info</c>).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>Its HTTP server on the private network, e.g. <c>http://asterisk:8088</c> (ARI is under <c>/ari</c>).</summary>
    public string? AriUrl { get; set; }

    /// <summary>The ARI user of its ari.conf.</summary>
    public string? AriUsername { get; set; }

    /// <summary>Its password (secret: never logged).</summary>
    public string? AriPassword { get; set; }

    /// <summary>Where LiveKit SIP reaches this Asterisk (host:port): the address of the outbound trunk CallApi creates for it. Without it an app's answer cannot bridge a door of this Asterisk.</summary>
    public string? LiveKitTrunkAddress { get; set; }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_.-]{1,40}$")]
    internal static partial System.Text.RegularExpressions.Regex NamePattern();
}
