namespace Neolia.DevStack;

public static class ServiceDiscoverySettings
{
    /// <summary>
    /// What the AppHost's <c>WithReference</c> gives a service: <c>services__{service}__{endpoint}__{i}</c> for every
    /// endpoint of every replica, which service discovery resolves (<c>http://_sockets.notifier</c>, <c>http://callapi</c>).
    /// </summary>
    public static void AddServiceEndpoints(this IDictionary<string, string?> settings, string service, IReadOnlyList<ServiceProcess> replicas)
    {
        for (var i = 0; i < replicas.Count; i++)
        {
            foreach (var (endpoint, url) in replicas[i].Endpoints) settings[$"services__{service}__{endpoint}__{i}"] = url.ToString();
        }
    }
}
