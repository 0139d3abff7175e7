using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Neolia.Tests.Administration;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Security;

/// <summary>
/// Bad input over every route: the operations of the OpenAPI document (<c>/openapi/v1.json</c>) through the gateway,
/// LiveKit's webhook straight to CallApi, and <c>/ws</c>, each with broken path values, broken bodies (NUL, invalid
/// UTF-8, lone surrogates, wrong types, deep nesting, forms past the form limits, malformed multipart) and three
/// callers (anonymous, platform admin, tenant admin, resident). No answer may be a 5xx, every 400 with a body is a problem, and the stack is
/// still healthy and rings a door afterwards. Bounded: the cases are a fixed list sent 8 at a time, within a deadline.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class MalformedInputTests(StackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);
    private const int Parallelism = 8;

    private sealed record Case(string Target, HttpMethod Method, string Path, Func<HttpContent?> Body, string? Token, string What);

    [Fact]
    public async Task No_malformed_request_to_any_route_gets_a_5xx_and_the_stack_stays_healthy()
    {
        var world = await AdminWorld.OfAsync(stack);
        var tenant = await stack.Data.CreateTenantAsync("101");
        await stack.Data.AddResidentAsync(tenant, "101");
        string?[] callers = [null, world.PlatformAdmin.Tokens!.AccessToken, world.A.Admin.Tokens!.AccessToken, world.A.Resident.Tokens!.AccessToken];

        using var document = JsonDocument.Parse(await stack.Gateway.GetStringAsync("/openapi/v1.json"));
        var operations = Operations(document.RootElement).ToList();
        Assert.True(operations.Count > 20, $"the OpenAPI document lists only {operations.Count} operations");

        var cases = new List<Case>();
        foreach (var (method, template, properties) in operations)
        {
            foreach (var path in PathVariants(template))
            {
                foreach (var token in callers)
                {
                    cases.Add(new Case("gateway", method, path.Value, () => null, token, $"path {path.What}"));
                }
            }
            if (method == HttpMethod.Get || method == HttpMethod.Delete) continue;
            var path0 = Fill(template, Guid.NewGuid().ToString());
            foreach (var (what, body) in Bodies(properties))
            {
                foreach (var token in callers) cases.Add(new Case("gateway", method, path0, body, token, what));
            }
        }
        // LiveKit's webhook, the one webhook left (door calls come over ARI, a client connection CallApi makes).
        foreach (var (what, body) in Bodies(["event", "room", "participant", "id", "createdAt"]).Concat(FormBodies()))
        {
            cases.Add(new Case("callapi", HttpMethod.Post, "/webhook/livekit", body, null, what));
        }
        foreach (var query in new[] { "", "?access_token=", "?access_token=%00", "?access_token=a.b.c", "?access_token=" + new string('x', 10_000), "?access_token=%C3%28" })
        {
            foreach (var token in callers) cases.Add(new Case("gateway", HttpMethod.Get, "/ws" + query, () => null, token, "socket " + query[..Math.Min(query.Length, 20)]));
        }

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentBag<string>();
        var tried = 0;
        var clock = Stopwatch.StartNew();
        using var gateway = new HttpClient { BaseAddress = stack.Stack.GatewayUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var callApi = new HttpClient { BaseAddress = stack.Stack.CallApiUrl, Timeout = TimeSpan.FromSeconds(30) };
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (c, ct) =>
        {
            if (clock.Elapsed > Deadline) return;
            using var request = new HttpRequestMessage(c.Method, c.Path) { Content = c.Body() };
            if (c.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", c.Token);
            try
            {
                using var response = await (c.Target == "gateway" ? gateway : callApi).SendAsync(request, ct);
                Interlocked.Increment(ref tried);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (status >= 500) failures.Add($"{status} {c.Method} {c.Path[..Math.Min(c.Path.Length, 120)]} ({c.What}): {body[..Math.Min(body.Length, 300)]}");
                // Kestrel itself refuses a request line it cannot parse (a NUL in the path) with an empty 400, before any
                // middleware runs: only answers the application wrote must be problem details.
                else if (status == 400 && body.Length > 0 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    failures.Add($"400 without problem details: {c.Method} {c.Path} ({c.What})");
            }
            catch (HttpRequestException e)
            {
                Interlocked.Increment(ref tried);
                failures.Add($"connection failed: {c.Method} {c.Path} ({c.What}): {e.Message}");
            }
        });

        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"));
        Reliability.Figures.Print(output, $"Malformed input: {tried} of {cases.Count} cases over {operations.Count} OpenAPI operations, LiveKit's webhook and /ws in {clock.Elapsed.TotalSeconds:F1} s; answers {summary}; 5xx: {failures.Count(f => f[0] == '5')}");
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(30)));
        Assert.Equal(cases.Count, tried);

        using (var health = await stack.CallApi.GetAsync("/health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using (var health = await stack.Gateway.GetAsync("/health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await stack.RingCallAsync(tenant, "101");
    }

    /// <summary>Every (method, path template, request body property names) of the OpenAPI document.</summary>
    private static IEnumerable<(HttpMethod Method, string Template, string[] Properties)> Operations(JsonElement openApi)
    {
        foreach (var path in openApi.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                if (operation.Name is not ("get" or "post" or "put" or "delete" or "patch")) continue;
                var properties = new List<string>();
                if (operation.Value.TryGetProperty("requestBody", out var body)
                    && body.TryGetProperty("content", out var content)
                    && content.EnumerateObject().FirstOrDefault().Value is { ValueKind: JsonValueKind.Object } media
                    && media.TryGetProperty("schema", out var schema))
                {
                    properties.AddRange(PropertiesOf(openApi, schema));
                }
                yield return (HttpMethod.Parse(operation.Name.ToUpperInvariant()), path.Name, [.. properties]);
            }
        }
    }

    private static IEnumerable<string> PropertiesOf(JsonElement openApi, JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = openApi.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name) : [];
    }

    private static string Fill(string template, string value) =>
        System.Text.RegularExpressions.Regex.Replace(template, "\\{[^}]+\\}", value);

    private static IEnumerable<(string What, string Value)> PathVariants(string template)
    {
        if (!template.Contains('{')) { yield return ("as is", template); yield return ("query junk", template + "?page=-1&pageSize=999999999&tenantId=%00&x=%C3%28"); yield break; }
        yield return ("random id", Fill(template, Guid.NewGuid().ToString()));
        yield return ("NUL", Fill(template, "%00"));
        yield return ("not an id", Fill(template, "not-a-guid"));
        yield return ("overlong UTF-8", Fill(template, "%C0%AF"));
        yield return ("invalid UTF-8", Fill(template, "%FF%FE"));
        yield return ("5,000 characters", Fill(template, new string('a', 5000)));
        yield return ("traversal", Fill(template, "..%2F..%2Fetc"));
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] bytes, string mediaType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        return content;
    }

    private static string Object(IEnumerable<string> properties, string rawValue) =>
        "{" + string.Join(",", properties.Select(p => $"\"{p}\":{rawValue}")) + "}";

    /// <summary>JSON and other bodies that are broken, or well-formed with the wrong contents, for an operation with these properties.</summary>
    private static IEnumerable<(string What, Func<HttpContent?> Body)> Bodies(string[] properties)
    {
        string[] names = properties.Length > 0 ? properties : ["name", "email"];
        yield return ("no body", () => null);
        yield return ("empty JSON", () => Json(""));
        yield return ("truncated JSON", () => Json("{\"" + names[0] + "\":"));
        yield return ("array", () => Json("[]"));
        yield return ("null", () => Json("null"));
        yield return ("string", () => Json("\"text\""));
        yield return ("NUL in every field", () => Json(Object(names, "\"a\\u0000b@example.test\"")));
        yield return ("raw NUL byte", () => Bytes([.. Encoding.UTF8.GetBytes("{\"" + names[0] + "\":\"a"), 0, .. "\"}"u8], "application/json"));
        yield return ("lone surrogate", () => Json(Object(names, "\"\\ud800\"")));
        yield return ("invalid UTF-8", () => Bytes([.. Encoding.UTF8.GetBytes("{\"" + names[0] + "\":\""), 0xC3, 0x28, 0xFF, .. "\"}"u8], "application/json"));
        yield return ("control characters", () => Json(Object(names, "\"x\\u0001\\u001b[2J\\r\\ny\"")));
        yield return ("numbers", () => Json(Object(names, "1e999")));
        yield return ("booleans", () => Json(Object(names, "true")));
        yield return ("objects", () => Json(Object(names, "{\"a\":[1,{}]}")));
        yield return ("arrays of NUL", () => Json(Object(names, "[\"\\u0000\"]")));
        yield return ("100 KB strings", () => Json(Object(names, "\"" + new string('x', 100_000) + "\"")));
        yield return ("deep nesting", () => Json(new string('[', 5000) + new string(']', 5000)));
        yield return ("duplicate keys", () => Json("{\"" + names[0] + "\":\"a\",\"" + names[0] + "\":\"b\"}"));
        yield return ("text/plain", () => new StringContent("hello", Encoding.UTF8, "text/plain"));
        yield return ("JSON claimed, XML sent", () => Json("<x/>"));
        yield return ("form with NUL", () => Bytes(Encoding.ASCII.GetBytes(string.Join("&", names.Select(n => $"{n}=%00x"))), "application/x-www-form-urlencoded"));
        yield return ("charset lie", () => Bytes([0xFF, 0xFE, 0x7B, 0x00], "application/json; charset=utf-32"));
    }

    /// <summary>Forms past ASP.NET Core's form limits and malformed multipart bodies (a webhook must refuse them cleanly).</summary>
    private static IEnumerable<(string What, Func<HttpContent?> Body)> FormBodies()
    {
        static ByteArrayContent Form(string text) => Bytes(Encoding.ASCII.GetBytes(text), "application/x-www-form-urlencoded");
        yield return ("form: NUL call id", () => Form("call_id=%00%00&tenant=demo&caller=door&callee=101"));
        yield return ("form: invalid UTF-8", () => Form("call_id=%C3%28&tenant=%FF&caller=%FE&callee=101"));
        yield return ("form: 1,025 fields", () => Form(string.Join("&", Enumerable.Range(0, 1025).Select(i => $"f{i}=v"))));
        yield return ("form: key of 2,049 characters", () => Form(new string('k', 2049) + "=v&caller=door&callee=101"));
        yield return ("form: value over 4 MiB", () => Form("caller=door&callee=" + new string('1', 4 * 1024 * 1024 + 10)));
        yield return ("form: broken escapes", () => Form("call_id=%&tenant=%zz&caller=%%%&callee=101%"));
        yield return ("multipart: no boundary", () => Bytes("--x\r\nContent-Disposition: form-data; name=\"caller\"\r\n\r\ndoor\r\n--x--\r\n"u8.ToArray(), "multipart/form-data"));
        yield return ("multipart: truncated", () => Bytes("--x\r\nContent-Disposition: form-data; name=\"caller\"\r\n\r\ndoor"u8.ToArray(), "multipart/form-data; boundary=x"));
        yield return ("multipart: garbage headers", () => Bytes("--x\r\n\u0000\u0001: \r\n\r\n\r\n--x--"u8.ToArray(), "multipart/form-data; boundary=x"));
        yield return ("multipart: boundary of 200 characters", () => Bytes("--y\r\n\r\n"u8.ToArray(), "multipart/form-data; boundary=" + new string('b', 200)));
    }
}
