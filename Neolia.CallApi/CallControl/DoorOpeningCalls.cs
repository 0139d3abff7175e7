using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Data;
using Neolia.CallApi.SipAccounts;
using Neolia.CallApi.DoorEvents;
using Neolia.CallApi.DoorOpenings;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// Opens a door outside a call over SIP: this replica originates a call to the door's PJSIP endpoint into its own
/// Stasis application (the door is registered, so the call traverses the building's NAT), the door auto-answers the
/// platform's calls (StasisStart), the code goes as RFC 4733 DTMF, and the call is hung up once the digits are played.
/// A door that is not registered, refuses, or does not answer within <see cref="DoorOpeningOptions.SipAnswerTimeout"/>
/// is <c>door_unreachable</c>. With several Asterisks the door is called from the one it is registered on (its
/// registration's <c>reg_server</c>, the Asterisk's system name): only that one holds its connection and NAT binding.
/// </summary>
/// <remarks>
/// Asterisk 22 calls an endpoint "online" only once a qualify answered: a door that has just registered stays
/// "offline" (contact NonQualified) until its first qualify, up to the AOR's qualify_frequency (30 s; seen on the real
/// Asterisk). So "offline" alone does not make the door unreachable: its registration (ps_contacts) decides.
/// </remarks>
internal sealed class DoorOpeningCalls(AsteriskServers asterisks, IDbContextFactory<NeoliaDb> databases, TimeProvider time,
    IOptions<CallControlOptions> callControl, IOptions<DoorOpeningOptions> options, ILogger<DoorOpeningCalls> logger) : ISipDoorOpener
{
    /// <summary>The first argument of an opening call's appArgs (its StasisStart once the door answers).</summary>
    public const string OpeningArgument = "door-opening";

    /// <summary>What the door's auto-answer may look for besides the caller number (RFC 5373 and the common Call-Info form).</summary>
    /// <remarks>PJSIP_HEADER() is res_pjsip_header_funcs.so's: without it loaded Asterisk drops them ("Function PJSIP_HEADER not registered").</remarks>
    internal static readonly IReadOnlyDictionary<string, string> AutoAnswerHeaders = new Dictionary<string, string>
    {
        ["PJSIP_HEADER(add,Call-Info)"] = "<sip:neolia>;answer-after=0",
        ["PJSIP_HEADER(add,Answer-Mode)"] = "Auto",
    };

    // ARI queues DTMF and answers at once: the digits are played at 200 ms + 200 ms each (AriClient.SendDtmfAsync).
    private static readonly TimeSpan PerDigit = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan AfterDigits = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _waiting = new();

    public static string ChannelIdOf(Guid eventId) => $"open-{eventId:N}";

    public async Task<string> OpenAsync(Guid eventId, string doorEndpoint, string doorCode, CancellationToken ct)
    {
        if (!callControl.Value.Enabled) return DoorEventResults.DoorUnreachable; // no Asterisk to call the door through
        var registeredOn = await RegisteredOnAsync(doorEndpoint, ct);
        if (AsteriskFor(registeredOn) is not { } ari)
        {
            logger.LogWarning("Opening {EventId}: no event stream to an Asterisk door {Endpoint} is registered on ({Servers})", eventId, doorEndpoint, string.Join(", ", registeredOn));
            return DoorEventResults.DoorUnreachable;
        }
        try
        {
            var endpoint = await ari.Client.GetEndpointAsync("PJSIP", doorEndpoint, ct);
            if (endpoint?.State is null || (endpoint.State == "offline" && registeredOn.Count == 0))
            {
                logger.LogInformation("Door {Endpoint} is not registered: opening {EventId} cannot reach it", doorEndpoint, eventId);
                return DoorEventResults.DoorUnreachable;
            }
        }
        catch (Exception e) when (AsteriskServer.IsAriFailure(e))
        {
            logger.LogWarning("State of door {Endpoint} unknown ({Error}): opening {EventId} not tried", doorEndpoint, e.Message, eventId);
            return DoorEventResults.DoorUnreachable;
        }

        var channelId = ChannelIdOf(eventId);
        var answered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[channelId] = answered; // known before the request: the StasisStart may come before ARI's answer
        try
        {
            var timeout = options.Value.SipAnswerTimeout;
            try
            {
                await ari.Client.OriginateAsync(channelId, $"PJSIP/{doorEndpoint}", $"{OpeningArgument},{eventId:N}", $"Neolia <{options.Value.CallerNumber}>",
                    (int)Math.Ceiling(timeout.TotalSeconds), originator: null, ct, AutoAnswerHeaders);
            }
            catch (Exception e) when (AsteriskServer.IsAriFailure(e))
            {
                // 4xx/5xx: no contact to call (it unregistered meanwhile), or Asterisk could not create the channel.
                logger.LogWarning("Opening {EventId}: door {Endpoint} could not be called ({Error})", eventId, doorEndpoint, e.Message);
                return DoorEventResults.DoorUnreachable;
            }
            var first = await Task.WhenAny(answered.Task, Task.Delay(timeout + TimeSpan.FromSeconds(1), ct));
            if (first != answered.Task || !answered.Task.Result)
            {
                await ari.TryAsync(a => a.HangupAsync(channelId, AriHangupReasons.Normal, CancellationToken.None), "hang up an unanswered opening call");
                logger.LogInformation("Opening {EventId}: door {Endpoint} did not answer", eventId, doorEndpoint);
                return DoorEventResults.DoorUnreachable;
            }
            var sent = await ari.TryAsync(a => a.SendDtmfAsync(channelId, doorCode, CancellationToken.None), $"send the door code of opening {eventId}");
            if (sent) await Task.Delay(PerDigit * doorCode.Length + AfterDigits, CancellationToken.None);
            await ari.TryAsync(a => a.HangupAsync(channelId, AriHangupReasons.Normal, CancellationToken.None), "hang up an opening call");
            return sent ? DoorEventResults.Opened : DoorEventResults.Failed;
        }
        finally
        {
            _waiting.TryRemove(channelId, out _);
        }
    }

    /// <summary>The Asterisks the door has a live registration on (ps_contacts' <c>reg_server</c>; empty text when Asterisk has no system name).</summary>
    private async Task<IReadOnlyList<string>> RegisteredOnAsync(string doorEndpoint, CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return await db.Set<PsContact>().Where(c => c.Endpoint == doorEndpoint && c.ExpirationTime > now).Select(c => c.RegServer ?? "").Distinct().ToListAsync(ct);
    }

    /// <summary>A connected Asterisk the door is registered on; with one Asterisk, or when its registration names none (no system name) or it has none, the first connected one.</summary>
    private AsteriskServer? AsteriskFor(IReadOnlyList<string> registeredOn)
    {
        var connected = asterisks.All.Where(a => a.Connected).ToList();
        var named = registeredOn.Where(n => n.Length > 0).ToList();
        if (named.Count == 0 || asterisks.All.Count == 1) return connected.FirstOrDefault();
        return connected.FirstOrDefault(a => named.Contains(a.Name, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The door answered an opening call (its StasisStart). A channel of no opening (this replica restarted) is hung up.</summary>
    public void OnAnswered(AsteriskServer asterisk, string channelId)
    {
        if (_waiting.TryGetValue(channelId, out var waiting)) waiting.TrySetResult(true);
        else _ = asterisk.TryAsync(a => a.HangupAsync(channelId, AriHangupReasons.Normal, CancellationToken.None), "hang up an opening call of no opening");
    }

    /// <summary>The opening call ended before it was answered (busy, refused, no answer).</summary>
    public void OnGone(string channelId)
    {
        if (_waiting.TryGetValue(channelId, out var waiting)) waiting.TrySetResult(false);
    }
}
