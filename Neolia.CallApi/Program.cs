using Neolia.CallApi.Administration;
using Neolia.CallApi.Auth;
using Neolia.CallApi.CallControl;
using Neolia.CallApi.Calls;
using Neolia.CallApi.Data;
using Neolia.CallApi.DeviceStatus;
using Neolia.CallApi.Documentation;
using Neolia.CallApi.DoorOpenings;
using Neolia.CallApi.KeyRing;
using Neolia.CallApi.LiveKit;
using Neolia.CallApi.Media;
using Neolia.CallApi.PushRegistrations;
using Neolia.CallApi.RedisRecovery;
using Neolia.CallApi.RequestErrors;
using Neolia.CallApi.Seed;
using Neolia.CallApi.SipAccounts;
using Neolia.ServiceDefaults.Authentication;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNeoliaData();
builder.AddRedisClient("redis");
builder.AddNeoliaAuthentication();
builder.AddKeyRing();
builder.AddRedisRecovery();
builder.AddRequestErrors();
builder.Services.AddValidation();
builder.AddApiDocumentation();
builder.Services.AddSingleton(TimeProvider.System);

builder.AddAuthTokens();
builder.AddLiveKit();
builder.AddCalls();
builder.AddMedia();
builder.AddPushRegistrations();
builder.AddCallControl();
builder.AddDoorOpenings();
builder.AddDeviceStatus();
builder.AddAdministration();
builder.AddSipAccounts();
builder.AddDevelopmentSeed();

var app = builder.Build();

app.UseGatewayForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapApiDocumentation();
app.MapAuthEndpoints();
app.MapCallEndpoints();
app.MapMedia();
app.MapLiveKitWebhooks();
app.MapAdministration();
app.MapSipAccounts();
app.MapPushRegistrations();
app.MapDoorOpenings();

app.Run();
