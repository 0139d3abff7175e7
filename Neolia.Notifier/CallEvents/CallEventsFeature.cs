using Neolia.Notifier.Sockets;

namespace Neolia.Notifier.CallEvents;

public static class CallEventsFeature
{
    public static IHostApplicationBuilder AddCallEventFanOut(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SocketOptions>(SocketOptions.Section);
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<CallEventFanOut>();
        builder.Services.AddSingleton<SeenCallEvents>();
        builder.Services.AddSingleton<RingingCalls>();
        builder.Services.AddHostedService<CallEventReader>();
        builder.Services.AddHostedService<RevokedUserSockets>();
        return builder;
    }
}
