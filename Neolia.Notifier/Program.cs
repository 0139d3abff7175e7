using Neolia.Notifier.AdminBoard;
using Neolia.Notifier.CallEvents;
using Neolia.Notifier.Push;
using Neolia.Notifier.Revocations;
using Neolia.Notifier.Sockets;
using Neolia.ServiceDefaults.Authentication;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddNeoliaAuthentication(queryTokenPaths: [AdminBoardFeature.Path], socketPaths: [SocketEndpoints.Path]);
builder.AddLocalRevocationCopy();
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(TimeProvider.System);
builder.AddCallEventFanOut();
builder.AddAdminBoard();
builder.AddPush();

var app = builder.Build();

app.UseGatewayForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebSockets();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapResidentSockets();
app.MapAdminBoard();

app.Run();
