using System.Collections.Concurrent;

namespace Wormhole.Streams.Portals;

/// <summary>
/// How proxies and the <see cref="Portal"/> handle reach their portal's stage: commands wait in a lock-free queue, and the
/// stage is woken once for all that arrive before it drains them, instead of once per command through an actor.
/// </summary>
/// <remarks>
/// Any thread may <see cref="Post"/>; only the stage drains. Commands of one poster are drained in the order posted.
/// Once the stage has stopped, what is posted is never drained (as an actor's messages to a stopped actor).
/// </remarks>
internal sealed class PortalCommandQueue
{
    private readonly ConcurrentQueue<PortalCommand> _commands = new();
    private readonly Action<PortalCommandQueue> _wake;
    private int _wakePending;

    /// <param name="wake">Asks the stage to drain; the stage's async callback, safe to call from any thread.</param>
    public PortalCommandQueue(Action<PortalCommandQueue> wake) => _wake = wake;

    /// <summary>Queues a command; wakes the stage unless a wake is pending already.</summary>
    public void Post(PortalCommand command)
    {
        _commands.Enqueue(command);
        Wake();
    }

    /// <summary>For the stage: takes up to <paramref name="budget"/> commands; wakes itself again when more remain.</summary>
    public void Drain(int budget, Action<PortalCommand> handle)
    {
        // Re-armed before draining: a command queued from here on is either drained below or wakes the stage again.
        Volatile.Write(ref _wakePending, 0);
        for (var taken = 0; taken < budget; taken++)
        {
            if (!_commands.TryDequeue(out var command))
            {
                return;
            }

            handle(command);
        }

        if (!_commands.IsEmpty)
        {
            Wake(); // the rest after whatever else waits for the stage (inbound frames, pulls)
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            _wake(this);
        }
    }
}
