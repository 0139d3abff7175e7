using Neolia.DevStack;

namespace Neolia.Tests.Infrastructure;

/// <summary>
/// What the tests reach of a running stack: its addresses, its database and Redis, its secrets and its services'
/// logs. Two kinds run: <see cref="AppHostStack"/> (the AppHost, as it ships) for every test that only talks to the
/// stack, and <see cref="DevStackProcesses"/> (Neolia.DevStack) for the tests that stop, kill or restart its parts.
/// </summary>
public interface IStackUnderTest : IAsyncDisposable
{
    Uri GatewayUrl { get; }

    /// <summary>CallApi directly, as the private network reaches it.</summary>
    Uri CallApiUrl { get; }

    string DatabaseConnectionString { get; }
    string RedisConnectionString { get; }
    StackSecrets Secrets { get; }

    /// <summary>A directory holding <c>&lt;service&gt;.log</c> for each service (what it wrote to its console).</summary>
    string LogDirectory { get; }

    /// <summary>The operating-system process of a single-instance service (callapi, gateway, notifier…).</summary>
    int ProcessIdOf(string service);

    /// <summary>The port other services reach an endpoint of a service on (e.g. the Notifier's <c>sockets</c>).</summary>
    int PortOf(string service, string endpoint);
}

/// <summary>A stack of Neolia.DevStack's processes: the tests that kill or restart them reach them through <see cref="Processes"/>.</summary>
public sealed class DevStackProcesses(LocalStack processes) : IStackUnderTest
{
    public LocalStack Processes { get; } = processes;
    public Uri GatewayUrl => Processes.GatewayUrl;
    public Uri CallApiUrl => Processes.CallApi.Url;
    public string DatabaseConnectionString => Processes.DatabaseConnectionString;
    public string RedisConnectionString => Processes.RedisConnectionString;
    public StackSecrets Secrets => Processes.Secrets;
    public string LogDirectory => Processes.LogDirectory;

    public int ProcessIdOf(string service) => Service(service).ProcessId;
    public int PortOf(string service, string endpoint) => Service(service).Endpoints[endpoint].Port;

    private ServiceProcess Service(string name) => name switch
    {
        "callapi" => Processes.CallApi,
        "gateway" => Processes.Gateway,
        _ => Processes.Notifiers.Single(n => n.Name == name),
    };

    public ValueTask DisposeAsync() => Processes.DisposeAsync();
}
