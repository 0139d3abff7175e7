using Neolia.ServiceDefaults.Authentication;

namespace Neolia.Notifier.Revocations;

public static class RevocationsFeature
{
    /// <summary>The replica's own copy of the token revocations, answering while Redis cannot. After <c>AddNeoliaAuthentication</c>.</summary>
    public static IHostApplicationBuilder AddLocalRevocationCopy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LocalRevocationCopyOptions>(LocalRevocationCopyOptions.Section);
        builder.Services.AddSingleton<LocalRevocationCopy>();
        builder.Services.AddSingleton<IRevocationFallback>(sp => sp.GetRequiredService<LocalRevocationCopy>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalRevocationCopy>());
        return builder;
    }
}
