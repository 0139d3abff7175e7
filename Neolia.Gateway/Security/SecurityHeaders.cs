namespace Neolia.Gateway.Security;

/// <summary>
/// Headers every public answer carries: no MIME sniffing, no framing by other sites (clickjacking), no referrer
/// leaking call or room ids to other origins, and HSTS outside Development so a browser never falls back to HTTP.
/// </summary>
public static class SecurityHeaders
{
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        app.Use((http, next) =>
        {
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                // Only frame-ancestors: a full policy would break the API reference page's scripts, and the API serves no HTML.
                if (!headers.ContainsKey("Content-Security-Policy")) headers.ContentSecurityPolicy = "frame-ancestors 'none'";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(http);
        });
        return app;
    }
}
