using System.Collections.Concurrent;

namespace Neolia.Tests.Push;

/// <summary>
/// Makes a fake provider stall: while engaged, every push request (already validated) waits before it is accepted.
/// A held request whose client goes away (its connection closed, e.g. the sending process was killed) is dropped:
/// the provider never accepted it, so the device never receives it. Released requests are accepted as usual.
/// </summary>
public sealed class RequestHold
{
    private TaskCompletionSource? gate;
    private readonly ConcurrentQueue<string> held = new();
    private readonly ConcurrentQueue<string> abandoned = new();

    /// <summary>Tokens of the requests that were held, in arrival order.</summary>
    public IReadOnlyCollection<string> Held => held;

    /// <summary>Tokens of held requests whose client went away: never accepted, never delivered.</summary>
    public IReadOnlyCollection<string> Abandoned => abandoned;

    public void Engage() => Interlocked.CompareExchange(ref gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void Release() => Interlocked.Exchange(ref gate, null)?.TrySetResult();

    /// <summary>Waits while engaged; false when the client went away meanwhile (the request must not be accepted).</summary>
    public async Task<bool> PassAsync(string token, CancellationToken requestAborted)
    {
        if (Volatile.Read(ref gate) is not { } open) return true;
        held.Enqueue(token);
        try
        {
            await open.Task.WaitAsync(requestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            abandoned.Enqueue(token);
            return false;
        }
    }
}
