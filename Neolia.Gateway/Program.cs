using Neolia.Gateway.Connections;
using Neolia.Gateway.Routing;
using Neolia.Gateway.Security;
using Neolia.Gateway.Tls;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEdgeProtection();
builder.AddEdgeTls();
builder.AddClientConnections();
builder.AddGatewayRouting();
builder.Services.AddProblemDetails();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseEdgeTls();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors();
app.UseRateLimiter();

app.MapDefaultEndpoints();
app.MapReverseProxy();

app.Run();
