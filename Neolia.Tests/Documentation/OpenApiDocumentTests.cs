using System.Text.Json;
using Neolia.Tests.Infrastructure;

namespace Neolia.Tests.Documentation;

/// <summary>
/// The OpenAPI document the app and Scalar are built against, read through the gateway: every operation says what it
/// does, and the ones that need a signed-in caller declare the Bearer scheme (so "try it" can send the token).
/// </summary>
[Collection(StackCollection.Name)]
public sealed class OpenApiDocumentTests(StackFixture stack)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch"];

    [Fact]
    public async Task Every_operation_has_a_summary()
    {
        var operations = await OperationsAsync();
        Assert.NotEmpty(operations);
        var bare = operations.Where(o => !o.Operation.TryGetProperty("summary", out var s) || string.IsNullOrWhiteSpace(s.GetString()))
            .Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").ToList();
        Assert.True(bare.Count == 0, $"operations without a summary: {string.Join(", ", bare)}");
    }

    [Fact]
    public async Task The_bearer_scheme_is_declared_and_required_where_sign_in_is()
    {
        using var document = await DocumentAsync();
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var operations = await OperationsAsync();
        static bool RequiresBearer(JsonElement operation) => operation.TryGetProperty("security", out var security)
            && security.EnumerateArray().Any(r => r.TryGetProperty("Bearer", out _));
        Assert.All(operations.Where(o => o.Path.StartsWith("/api/calls") || o.Path.StartsWith("/api/admin") || o.Path.StartsWith("/api/me")),
            o => Assert.True(RequiresBearer(o.Operation), $"{o.Method} {o.Path} does not declare the Bearer scheme"));
        Assert.False(RequiresBearer(operations.Single(o => o.Path == "/api/auth/login").Operation), "signing in cannot need a token");
    }

    private async Task<JsonDocument> DocumentAsync()
    {
        using var response = await stack.Gateway.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<List<(string Path, string Method, JsonElement Operation)>> OperationsAsync()
    {
        using var document = await DocumentAsync();
        return document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name))
                .Select(m => (path.Name, m.Name, m.Value.Clone())))
            .ToList();
    }
}
