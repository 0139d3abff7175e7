namespace Neolia.CallApi.Auth;

/// <summary>Answers that carry tokens must not be kept by a browser, a proxy or an app's HTTP cache.</summary>
public static class NoStoreFilter
{
    public static TBuilder WithNoStore<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
            return await next(context);
        });
}
