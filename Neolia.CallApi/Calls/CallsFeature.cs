namespace Neolia.CallApi.Calls;

public static class CallsFeature
{
    public static IHostApplicationBuilder AddCalls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<CallOptions>(CallOptions.Section);
        builder.Services.AddSingleton<CallEventPublisher>();
        builder.Services.AddScoped<CallRecipients>();
        builder.Services.AddScoped<DoorCallService>();
        builder.Services.AddScoped<CallStatusMoves>();
        builder.Services.AddScoped<CallLifecycle>();
        builder.Services.AddScoped<RungOutCalls>();
        builder.Services.AddScoped<LiveKit.ICallRoomEvents>(sp => sp.GetRequiredService<CallLifecycle>());
        builder.Services.AddHostedService<RingTimeoutSweeper>();
        builder.Services.AddHostedService<PendingCallEventPublisher>();
        return builder;
    }
}
