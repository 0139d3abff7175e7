using Microsoft.Extensions.Logging.Abstractions;
using Neolia.ServiceDefaults.Authentication;
using StackExchange.Redis;

namespace Neolia.Tests.Security;

/// <summary>
/// The revocation rule when Redis does not answer: the service's fallback decides, and a token is refused only when
/// the fallback cannot answer either (or there is none).
/// </summary>
public sealed class RevocationCheckTests : IAsyncLifetime
{
    private IConnectionMultiplexer _unreachable = null!;

    public async Task InitializeAsync() =>
        // Nothing listens on port 1: every command fails at once, as with Redis down.
        _unreachable = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { "127.0.0.1:1" }, AbortOnConnectFail = false, ConnectTimeout = 200, ConnectRetry = 0, BacklogPolicy = BacklogPolicy.FailFast,
        });

    public async Task DisposeAsync() => await _unreachable.DisposeAsync();

    private RevocationCheck CheckWith(params IRevocationFallback[] fallbacks) =>
        new(new TokenRevocations(_unreachable, NullLogger<TokenRevocations>.Instance), fallbacks, NullLogger<RevocationCheck>.Instance);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_Redis_unreachable_the_fallbacks_answer_is_the_answer(bool revoked)
    {
        var fallback = new Fallback(revoked);
        var user = Guid.NewGuid();

        Assert.Equal(revoked, await CheckWith(fallback).IsRevokedAsync(user, 1234));
        Assert.Equal((user, 1234L), Assert.Single(fallback.Asked));
    }

    [Fact]
    public async Task With_Redis_unreachable_and_a_fallback_without_an_answer_the_token_is_refused()
    {
        await Assert.ThrowsAsync<RevocationsUnknownException>(() => CheckWith(new Fallback(null)).IsRevokedAsync(Guid.NewGuid(), 1));
        await Assert.ThrowsAsync<RevocationsUnknownException>(() => CheckWith().IsRevokedAsync(Guid.NewGuid(), 1));
    }

    private sealed class Fallback(bool? answer) : IRevocationFallback
    {
        public List<(Guid, long)> Asked { get; } = [];

        public string Source => "the test";

        public ValueTask<bool?> IsRevokedAsync(Guid userId, long issuedAtMs, CancellationToken ct)
        {
            Asked.Add((userId, issuedAtMs));
            return ValueTask.FromResult(answer);
        }
    }
}
