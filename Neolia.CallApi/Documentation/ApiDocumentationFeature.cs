using Scalar.AspNetCore;

namespace Neolia.CallApi.Documentation;

public static class ApiDocumentationFeature
{
    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        return builder;
    }

    /// <summary>
    /// The OpenAPI document at <c>/openapi/v1.json</c> (every environment: it is the contract the app is built
    /// against) and, in Development only, the Scalar UI at <c>/scalar</c> (the gateway routes both).
    /// </summary>
    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment()) app.MapScalarApiReference();
        return app;
    }
}
