using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Neolia.CallApi.Asterisk;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Seed;

namespace Neolia.Tests.Asterisk;

/// <summary>
/// The dialplan (containers/asterisk/extensions.conf) is CallApi's client: these tests build the exact requests
/// its CURL() calls send and check them against what CallApi reads. They need no running stack.
/// </summary>
public sealed class DialplanContractTests
{
    // Sample channel: the demo door rings apartment 101, and the call ends unanswered after 30 s.
    public const string SampleUniqueId = "1764000000.42";
    public const string SampleSecret = "dialplan-contract-test-webhook-secret"; // not a real secret: the test's own
    public const string SampleCallApiUrl = "http://callapi.test:5100";

    public static readonly IReadOnlyDictionary<string, string> SampleChannel = new Dictionary<string, string>
    {
        ["UNIQUEID"] = SampleUniqueId,
        ["NEOLIA_TENANT"] = DevelopmentSeed.TenantSlug,
        ["CHANNEL(endpoint)"] = DevelopmentSeed.DoorSipUsername,
        ["EXTEN"] = "101",
        ["DIALSTATUS"] = "NOANSWER",
        ["NEOLIA_ANSWERED_SEC"] = "0",
        ["NEOLIA_DIALED_SEC"] = "30",
        ["HANGUPCAUSE"] = "16",
    };

    public static DialplanExpressions SampleExpressions(string callApiUrl = SampleCallApiUrl, string secret = SampleSecret) =>
        new(SampleChannel, new Dictionary<string, string> { ["NEOLIA_CALLAPI_URL"] = callApiUrl, ["NEOLIA_WEBHOOK_SECRET"] = secret });

    public static IReadOnlyList<WebhookRequest> SampleRequests(string callApiUrl = SampleCallApiUrl, string secret = SampleSecret) =>
        DialplanWebhooks.Build(Dialplan.Load(), SampleExpressions(callApiUrl, secret));

    public static WebhookRequest RingRequest(IReadOnlyList<WebhookRequest> requests) => requests.Single(r => r.Path == "/webhook/call");

    public static WebhookRequest EndRequest(IReadOnlyList<WebhookRequest> requests) => requests.Single(r => r.Path == "/webhook/call/end");

    [Fact]
    public void Dialplan_calls_exactly_the_two_webhooks()
    {
        var requests = SampleRequests();

        Assert.Equal(["/webhook/call", "/webhook/call/end"], requests.Select(r => r.Path).Order());
        Assert.All(requests, r => Assert.Equal(new Uri(SampleCallApiUrl).Authority, r.Url.Authority));
    }

    [Fact]
    public void Ring_request_sends_the_fields_CallApi_reads()
    {
        var ring = RingRequest(SampleRequests());

        Assert.Equal(new Dictionary<string, string>
        {
            ["call_id"] = SampleUniqueId,
            ["tenant"] = "demo",
            ["caller"] = "demo-door-1",
            ["callee"] = "101",
        }, ring.Form);
        Assert.Equal("neolia-door", ring.Step.Context);
    }

    [Fact]
    public void End_request_sends_call_id_dialstatus_durations_and_cause()
    {
        var end = EndRequest(SampleRequests());

        Assert.Equal(new Dictionary<string, string>
        {
            ["call_id"] = SampleUniqueId,
            ["dialstatus"] = "NOANSWER",
            ["answered_sec"] = "0",
            ["dialed_sec"] = "30",
            ["cause"] = "16",
        }, end.Form);
        Assert.Equal("neolia-call-end", end.Step.Context);
    }

    [Fact]
    public void Both_requests_send_the_secret_once_as_a_form_with_short_timeouts()
    {
        foreach (var request in SampleRequests())
        {
            Assert.Equal(SampleSecret, request.Header(WebhookSecretFilter.HeaderName));
            Assert.Equal("application/x-www-form-urlencoded", request.Header("Content-Type"));
            Assert.Equal(request.Headers.Count, request.Headers.Select(h => h.Key.ToLowerInvariant()).Distinct().Count());
            Assert.Equal(2, request.ConnectTimeoutSeconds);
            Assert.Equal(3, request.TotalTimeoutSeconds);
        }
    }

    [Fact]
    public void Values_are_uri_encoded_in_the_body()
    {
        var channel = new Dictionary<string, string>(SampleChannel) { ["EXTEN"] = "B 12&x" };
        var expressions = new DialplanExpressions(channel, new Dictionary<string, string> { ["NEOLIA_CALLAPI_URL"] = SampleCallApiUrl, ["NEOLIA_WEBHOOK_SECRET"] = SampleSecret });

        var ring = RingRequest(DialplanWebhooks.Build(Dialplan.Load(), expressions));

        Assert.Contains("callee=B%2012%26x", ring.Body);
        Assert.Equal("B 12&x", ring.Form["callee"]);
    }

    [Theory]
    [InlineData("/webhook/call", new[] { "call_id", "tenant", "caller", "callee" })]
    [InlineData("/webhook/call/end", new[] { "call_id", "dialstatus", "answered_sec", "dialed_sec", "cause" })]
    public async Task CallApi_reads_each_field_from_the_request_body(string path, string[] fields)
    {
        var request = SampleRequests().Single(r => r.Path == path);
        var http = ToHttpContext(request);

        var (form, problem) = await WebhookForm.ReadAsync(http.Request, CancellationToken.None);

        Assert.Null(problem);
        Assert.NotNull(form);
        foreach (var field in fields) Assert.Equal(request.Form[field], form[field]);
    }

    [Fact]
    public async Task CallApi_admits_the_requests_with_the_configured_secret()
    {
        var filter = new WebhookSecretFilter(Options.Create(new AsteriskOptions { WebhookSecret = SampleSecret }), NullLogger<WebhookSecretFilter>.Instance);
        foreach (var request in SampleRequests())
        {
            var context = new DefaultEndpointFilterInvocationContext(ToHttpContext(request));
            var result = await filter.InvokeAsync(context, _ => ValueTask.FromResult<object?>("admitted"));
            Assert.Equal("admitted", result);
        }
    }

    [Fact]
    public void Dialplan_reads_only_fields_that_CallApi_answers()
    {
        var answer = JsonSerializer.SerializeToElement(new DialplanAnswer("dial", "PJSIP/demo-alice", "30", "call", "room"));
        var answered = answer.EnumerateObject().Select(p => p.Name).ToHashSet();

        var read = Dialplan.Load().Steps
            .SelectMany(s => DialplanExpressions.FunctionCalls(s.Arguments, "JSON_DECODE"))
            .Select(args => DialplanExpressions.SplitArguments(args))
            .Where(args => args[0] == "NEOLIA_ANSWER")
            .Select(args => args[1])
            .ToHashSet();

        Assert.Equal(new HashSet<string> { "action", "dial", "timeout", "call_id", "room" }, read);
        Assert.Subset(answered, read);
    }

    [Fact]
    public void Ring_is_sent_before_the_webhook_and_the_end_handler_after_the_options()
    {
        var door = Dialplan.Load().InContext("neolia-door").ToList();
        var ringing = door.FindIndex(s => s.Application == "Ringing");
        var webhook = door.FindIndex(s => s.Arguments.Contains("${CURL(", StringComparison.Ordinal));
        var lastOption = door.FindLastIndex(s => s.Arguments.StartsWith("CURLOPT(", StringComparison.Ordinal));
        var firstPush = door.FindIndex(s => s.Arguments.StartsWith("CHANNEL(hangup_handler_push)=", StringComparison.Ordinal));

        Assert.InRange(ringing, 0, webhook);
        Assert.True(lastOption < webhook, "every CURLOPT is set before the first webhook");
        Assert.True(lastOption < firstPush, "the hangup handler is pushed after the CURLOPTs it relies on");
    }

    [Fact]
    public void Hangup_handler_returns()
    {
        var handler = Dialplan.Load().InContext("neolia-call-end").ToList();
        Assert.Equal("Return", handler[^1].Application);
    }

    [Fact]
    public void Expanding_an_unknown_variable_fails_loudly()
    {
        var expressions = SampleExpressions();
        Assert.Throws<KeyNotFoundException>(() => expressions.Expand("x=${NOT_A_SAMPLE}"));
        Assert.Throws<NotSupportedException>(() => expressions.Expand("x=${SHELL(ls)}"));
        Assert.Equal("a%2Fb", expressions.Expand("${URIENCODE(a/b)}"));
    }

    private static DefaultHttpContext ToHttpContext(WebhookRequest request)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.Path = request.Path;
        foreach (var (name, value) in request.Headers) http.Request.Headers.Append(name, value);
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(request.Body));
        return http;
    }
}
