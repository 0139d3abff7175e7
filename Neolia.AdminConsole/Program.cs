using Neolia.AdminConsole.Api;
using Neolia.AdminConsole.Board;
using Neolia.AdminConsole.Components;
using Neolia.AdminConsole.SignIn;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNeoliaApi();
builder.AddConsoleSignIn();
builder.AddLiveBoard();
builder.AddConsoleUi();

var app = builder.Build();

// Served by the gateway under /admin; routing must run after the prefix is taken off.
app.UsePathBase(ConsoleUi.PathBase);
app.UseRouting();
app.UseGatewayForwardedHeaders();
app.UseExceptionHandler("/error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapSignOut();
app.MapApiPictures();
app.MapConsoleUi();

app.Run();
