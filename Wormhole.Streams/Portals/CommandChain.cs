namespace Wormhole.Streams.Portals;

/// <summary>
/// A lock-free queue of <see cref="PortalCommand"/>s for many posters and one taker, linked through the commands
/// themselves (<see cref="PortalCommand.Next"/>): an empty queue holds one stub and nothing else, where a
/// <c>ConcurrentQueue</c> holds a 32-slot segment (about 800 bytes) for every idle portal.
/// </summary>
/// <remarks>
/// Dmitry Vyukov's intrusive MPSC queue. A post is one atomic exchange. A command may be posted once only. Only one
/// thread at a time may <see cref="TryTake"/> (the portal's stage; after close, under the queue's lock). A post that has
/// swapped itself in but not yet linked is not visible yet: <see cref="TryTake"/> then reports empty, and the poster's own
/// wake after it returns brings the taker back.
/// </remarks>
internal sealed class CommandChain
{
    private readonly PortalCommand _stub = new PortalCommand.Close("stub");
    private PortalCommand _head; // the last posted: posters swap themselves in here
    private PortalCommand _tail; // the next to take (or the stub)

    public CommandChain()
    {
        _head = _stub;
        _tail = _stub;
    }

    /// <summary>Whether nothing is waiting (or a post is still linking itself in).</summary>
    public bool IsEmpty => _tail == _stub && Volatile.Read(ref _stub.Next) is null;

    /// <summary>Adds <paramref name="command"/> at the end; any thread.</summary>
    public void Post(PortalCommand command)
    {
        command.Next = null;
        var previous = Interlocked.Exchange(ref _head, command);
        Volatile.Write(ref previous.Next, command);
    }

    /// <summary>Takes the oldest command; false when none is visible. One taker at a time.</summary>
    public bool TryTake(out PortalCommand command)
    {
        var tail = _tail;
        var next = Volatile.Read(ref tail.Next);
        if (tail == _stub)
        {
            if (next is null)
            {
                command = null!;
                return false;
            }

            _tail = next;
            tail = next;
            next = Volatile.Read(ref next.Next);
        }

        if (next is not null)
        {
            _tail = next;
            command = tail;
            return true;
        }

        if (tail != Volatile.Read(ref _head))
        {
            command = null!; // a poster swapped in after tail and is linking it
            return false;
        }

        Post(_stub); // tail is the last: put the stub behind it so that it can be taken
        next = Volatile.Read(ref tail.Next);
        if (next is not null)
        {
            _tail = next;
            command = tail;
            return true;
        }

        command = null!;
        return false;
    }
}
