using Neolia.MediaRelay.Relaying;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMediaRelay();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
