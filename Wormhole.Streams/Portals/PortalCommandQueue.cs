namespace Wormhole.Streams.Portals;

/// <summary>
/// How proxies and the <see cref="Portal"/> handle reach their portal's stage: commands wait in a lock-free queue, and the
/// stage is woken once for all that arrive before it drains them, instead of once per command through an actor.
/// </summary>
/// <remarks>
/// Any thread may <see cref="Post"/>; only the stage drains. Commands of one poster are drained in the order posted.
/// Once the stage has closed the queue (<see cref="Close"/>), every command still in it, and every one posted after, fails
/// at once with the close reason (<see cref="PortalCommand.Fail"/>): nothing waits for a timer to learn the portal is gone.
/// </remarks>
internal sealed class PortalCommandQueue
{
    private readonly CommandChain _commands = new();
    private readonly Action<PortalCommandQueue> _wake;
    private readonly PortalCounters _counters;
    private PortalCloseReason? _closeReason;
    private int _wakePending;

    /// <param name="wake">Asks the stage to drain; the stage's async callback, safe to call from any thread.</param>
    /// <param name="counters">Where a message that fails because the portal closed is counted as dropped.</param>
    public PortalCommandQueue(Action<PortalCommandQueue> wake, PortalCounters counters)
    {
        _wake = wake;
        _counters = counters;
    }

    /// <summary>Whether the portal has room for one more message (for <c>TellAsync</c>).</summary>
    public OutboundRoom Room { get; init; } = new(new NexusOptions());

    /// <summary>Why the portal closed, once it has; null while it is open.</summary>
    public PortalCloseReason? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Queues a command; wakes the stage unless a wake is pending already. After <see cref="Close"/>, fails it.</summary>
    public void Post(PortalCommand command)
    {
        if (command is PortalCommand.Forward)
        {
            Room.Posted();
        }

        _commands.Post(command);
        if (CloseReason is { } reason)
        {
            FailAll(reason); // the stage drains no more: whoever reads the reason after enqueuing fails what is left
        }
        else
        {
            Wake();
        }
    }

    /// <summary>For the stage: takes up to <paramref name="budget"/> commands; wakes itself again when more remain.</summary>
    public void Drain(int budget, Action<PortalCommand> handle)
    {
        // Re-armed before draining: a command queued from here on is either drained below or wakes the stage again. A full
        // fence, not a volatile write: the reads of the queue below must not be done before the reset is seen, or a poster
        // that links its command after those reads can still find the wake pending and not wake the stage (a lost wake).
        Interlocked.Exchange(ref _wakePending, 0);
        for (var taken = 0; taken < budget; taken++)
        {
            if (CloseReason is not null || !_commands.TryTake(out var command))
            {
                return;
            }

            if (command is PortalCommand.Forward)
            {
                Room.Handled();
            }

            handle(command);
        }

        if (!_commands.IsEmpty)
        {
            Wake(); // the rest after whatever else waits for the stage (inbound frames, pulls)
        }
    }

    /// <summary>For the stage, when it stops: no more draining; what is queued now or later fails with <paramref name="reason"/>.</summary>
    /// <returns>How many messages told to proxies failed now (each counted as dropped).</returns>
    public int Close(PortalCloseReason reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        Room.Close();
        return FailAll(CloseReason!);
    }

    /// <remarks>Under a lock: after close, any poster's thread takes from the chain, which allows one taker at a time.</remarks>
    private int FailAll(PortalCloseReason reason)
    {
        var messages = 0;
        while (TakeToFail(out var command))
        {
            if (command is PortalCommand.Forward)
            {
                Room.Handled();
                _counters.Drop("portal-closed");
                messages++;
            }

            PortalCommand.Fail(command, reason);
        }

        return messages;
    }

    private bool TakeToFail(out PortalCommand command)
    {
        lock (_commands)
        {
            return _commands.TryTake(out command);
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
