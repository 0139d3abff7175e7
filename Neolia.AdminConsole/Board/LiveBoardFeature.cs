namespace Neolia.AdminConsole.Board;

public static class LiveBoardFeature
{
    /// <summary>One admin-board socket per circuit, opened when the board page is shown, closed with the circuit.</summary>
    public static IHostApplicationBuilder AddLiveBoard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LiveBoardSocket>();
        builder.Services.AddTransient<LiveBoardState>();
        return builder;
    }
}
