using System.Net;
using System.Net.Http.Json;
using Neolia.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Neolia.Tests.Security;

/// <summary>The gateway's sign-in limit holds against a client that invents X-Forwarded-For addresses.</summary>
[Collection(EdgeStackCollection.Name)]
public sealed class ForwardedHeaderTests(EdgeStackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task Rotating_X_Forwarded_For_does_not_escape_the_sign_in_limit_and_429_says_when_to_retry()
    {
        var answers = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < EdgeStackFixture.AuthRequestsPerMinute + 3 && refused is null; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
            {
                Content = JsonContent.Create(new { email = "nobody@demo.neolia.test", password = "wrong-password-123" }),
            };
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            var response = await stack.Gateway.SendAsync(request);
            answers.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) refused = response;
            else response.Dispose();
        }

        Assert.True(refused is not null, $"never limited: {string.Join(", ", answers)}");
        using (refused)
        {
            Assert.Equal(EdgeStackFixture.AuthRequestsPerMinute + 1, answers.Count);
            Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 and <= 60 }, $"Retry-After: {refused.Headers.RetryAfter}");
            await CallDriver.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
        }
        output.WriteLine($"answers with a new X-Forwarded-For each time: {string.Join(", ", answers.Select(a => (int)a))}");
    }
}
