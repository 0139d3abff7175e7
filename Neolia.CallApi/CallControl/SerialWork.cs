using System.Threading.Channels;

namespace Neolia.CallApi.CallControl;

/// <summary>
/// The steps of one door call, run one at a time in the order they were posted: ARI events of that call (in
/// Asterisk's order), API commands, timers. Calls never wait for each other: each has its own queue, drained on the
/// thread pool only while it has work, so an idle call costs no task. A <paramref name="gate"/> is asked before each
/// step whether the call is still this replica's (<see cref="ControlLeases.StillControlsAsync"/>); once it says no,
/// no step runs any more.
/// </summary>
internal sealed class SerialWork(ILogger logger, Func<ValueTask<bool>>? gate = null)
{
    private sealed record Step(Func<Task> Run, Action<Exception>? Refuse);

    private readonly Channel<Step> _steps = Channel.CreateUnbounded<Step>(new UnboundedChannelOptions { SingleReader = true });
    private int _draining;
    private volatile bool _closed;

    /// <returns>False when the call is over and takes no more steps.</returns>
    public bool Post(Func<Task> step) => Post(new Step(step, null));

    private bool Post(Step step)
    {
        if (_closed || !_steps.Writer.TryWrite(step)) return false;
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0) _ = Task.Run(DrainAsync);
        return true;
    }

    /// <summary>Runs <paramref name="step"/> in turn and returns its result; fails when the call takes no more steps.</summary>
    public Task<T> InvokeAsync<T>(Func<Task<T>> step)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new Step(async () =>
            {
                try { result.SetResult(await step()); }
                catch (Exception e) { result.SetException(e); }
            }, e => result.TrySetException(e))))
        {
            result.SetException(new InvalidOperationException("The call is over."));
        }
        return result.Task;
    }

    /// <summary>No step is taken after the ones already posted.</summary>
    public void Complete() => _steps.Writer.TryComplete();

    private async Task DrainAsync()
    {
        while (true)
        {
            while (_steps.Reader.TryRead(out var step))
            {
                try
                {
                    if (!_closed && gate is not null && !await gate()) _closed = true;
                    if (_closed)
                    {
                        step.Refuse?.Invoke(new InvalidOperationException("The call is over."));
                        continue;
                    }
                    await step.Run();
                }
                catch (Exception e) { logger.LogError(e, "Call control step failed"); }
            }
            Volatile.Write(ref _draining, 0);
            // A step posted between the last read and the reset found the flag set and started nothing: take it.
            if (!_steps.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _draining, 1, 0) != 0) return;
        }
    }
}
