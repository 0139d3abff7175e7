namespace Neolia.CallApi.CallControl;

/// <summary>
/// The door calls this replica sets up at once (<see cref="CallControlOptions.MaxCallsInSetup"/>): taken by each set-up,
/// and read before claiming a broadcast call, so a replica at its limit leaves the call to another one.
/// </summary>
internal sealed class CallSetupSlots(Microsoft.Extensions.Options.IOptions<CallControlOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxCallsInSetup, options.Value.MaxCallsInSetup);
    private int _waiting;

    public int Limit => options.Value.MaxCallsInSetup;

    public bool AnyFree => _slots.CurrentCount > 0;

    /// <summary>Calls being set up or waiting for a slot.</summary>
    public int Busy => Limit - _slots.CurrentCount + Waiting;

    /// <summary>Calls waiting for a slot.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public async Task<bool> WaitAsync(TimeSpan timeout)
    {
        Interlocked.Increment(ref _waiting);
        try { return await _slots.WaitAsync(timeout); }
        finally { Interlocked.Decrement(ref _waiting); }
    }

    public void Release() => _slots.Release();
}
