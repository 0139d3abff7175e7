using System.Runtime.InteropServices;
using System.Text.Json;
using Neolia.DevStack;

// The stack without Docker or Aspire: `scripts/run.sh` (or `dotnet run --project Neolia.DevStack`).
var gatewayPort = IntOption("--gateway-port", 8080);
var notifiers = IntOption("--notifiers", 1);
var stateDirectory = Path.GetFullPath(Option("--state") ?? Path.Combine(RepositoryLayout.Root, ".devstack"));
if (args.Contains("--reset") && Directory.Exists(stateDirectory)) Directory.Delete(stateDirectory, recursive: true);

var secrets = StackSecrets.LoadOrCreate(Path.Combine(stateDirectory, "secrets.json"));
Console.WriteLine($"Starting PostgreSQL, Redis, CallApi, {notifiers} Notifier(s) and the gateway (state in {stateDirectory}) ...");

await using var stack = await LocalStack.StartAsync(new LocalStackOptions
{
    StateDirectory = stateDirectory,
    Secrets = secrets,
    PostgresConnectionString = Environment.GetEnvironmentVariable("NEOLIA_POSTGRES"),
    RedisConnectionString = Environment.GetEnvironmentVariable("NEOLIA_REDIS"),
    NotifierReplicas = notifiers,
    GatewayPort = gatewayPort,
});

// What scripts/ring-door.sh and scripts/listen.mjs need to talk to this stack.
var stackFile = Path.Combine(stateDirectory, "stack.json");
PrivateFile.Write(stackFile, JsonSerializer.Serialize(new
{
    gateway = stack.GatewayUrl.ToString().TrimEnd('/'),
    callApi = stack.CallApi.Url.ToString().TrimEnd('/'),
    webhookSecret = secrets.WebhookSecret,
    demoPassword = secrets.DemoPassword,
    // For tools that provision data and watch the processes (bench/Neolia.Bench).
    database = stack.DatabaseConnectionString,
    processes = new Dictionary<string, int>
    {
        ["callapi"] = stack.CallApi.ProcessId,
        ["gateway"] = stack.Gateway.ProcessId,
    }.Concat(stack.Notifiers.Select(n => KeyValuePair.Create(n.Name, n.ProcessId))).ToDictionary(),
}, new JsonSerializerOptions { WriteIndented = true }));

Console.WriteLine($"""

    Neolia is running.
      Gateway (the only public entry):  {stack.GatewayUrl}
        POST /api/auth/login, /api/...,  WS /ws?access_token=...
      CallApi (private; Asterisk's webhooks):  {stack.CallApi.Url}
      Health:  {stack.GatewayUrl}health
      Logs:    {stack.LogDirectory}

    Demo accounts (password: {secrets.DemoPassword})
      alice@demo.neolia.test, bob@demo.neolia.test   residents of apartment 101
      carol@demo.neolia.test                         resident of apartment 102
      manager@demo.neolia.test                       tenant administrator of 'demo'
      admin@neolia.test                              platform administrator

    Ring a door (what Asterisk sends):   scripts/ring-door.sh 101
    Watch a resident's phone ring:       node --experimental-websocket scripts/listen.mjs alice@demo.neolia.test

    Ctrl+C stops everything.
    """);

// Ctrl+C (SIGINT) and a service manager's SIGTERM both stop the stack gracefully: services first, then the data.
var stopped = new TaskCompletionSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await Task.WhenAny(stopped.Task, stack.CallApi.Exited(), stack.Gateway.Exited());
Console.WriteLine("Stopping ...");

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopped.TrySetResult();
}

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

int IntOption(string name, int fallback) => Option(name) is { } v
    ? int.TryParse(v, out var n) && n >= 0 ? n : throw new ArgumentException($"{name} takes a whole number, not '{v}'.")
    : fallback;
