namespace Wormhole.Streams.Portals;

/// <summary>
/// Whether a portal has room for one more message, as <c>TellAsync</c> sees it: the frames waiting for the conduit plus
/// the messages posted to the stage and not yet handled stay under three quarters of the outbound bounds. A waiting
/// <c>TellAsync</c> resumes when the stage has drained them to half.
/// </summary>
/// <remarks>
/// Any thread may wait or post; the stage reports its queue. Keeping under three quarters leaves plain tells, control
/// frames and concurrent waiters the last quarter, so awaiting senders never trip <see cref="NexusOptions.OutboundOverflow"/>.
/// </remarks>
internal sealed class OutboundRoom(NexusOptions options)
{
    private readonly object _gate = new();
    private readonly List<TaskCompletionSource> _waiters = [];
    private int _frames;
    private long _bytes;
    private int _posted;
    private int _waiting;
    private bool _closed;

    /// <summary>True when one more message fits, or the portal closed (the send then fails with the reason).</summary>
    public bool HasRoom =>
        Volatile.Read(ref _closed)
        || (Volatile.Read(ref _frames) + Volatile.Read(ref _posted) < options.MaxOutboundFrames * 3L / 4
            && Volatile.Read(ref _bytes) < options.MaxOutboundBytes * 3 / 4);

    /// <summary>A message was posted to the stage (counted until the stage handles it).</summary>
    public void Posted() => Interlocked.Increment(ref _posted);

    /// <summary>The stage handled a posted message.</summary>
    public void Handled() => Interlocked.Decrement(ref _posted);

    /// <summary>Waits until <see cref="HasRoom"/>.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (!HasRoom)
        {
            TaskCompletionSource waiter;
            lock (_gate)
            {
                if (HasRoom)
                {
                    return;
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(waiter);
                Volatile.Write(ref _waiting, _waiters.Count);
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>For the stage: what waits for the conduit now; wakes the waiters once it is down to half.</summary>
    public void Report(int frames, long bytes)
    {
        Volatile.Write(ref _frames, frames);
        Volatile.Write(ref _bytes, bytes);
        if (frames + Volatile.Read(ref _posted) <= options.MaxOutboundFrames / 2 && bytes <= options.MaxOutboundBytes / 2)
        {
            Release();
        }
    }

    /// <summary>The portal closed: every waiter resumes (and finds the portal closed).</summary>
    public void Close()
    {
        Volatile.Write(ref _closed, true);
        Release();
    }

    private void Release()
    {
        if (Volatile.Read(ref _waiting) == 0)
        {
            return;
        }

        TaskCompletionSource[] waiters;
        lock (_gate)
        {
            waiters = [.. _waiters];
            _waiters.Clear();
            Volatile.Write(ref _waiting, 0);
        }

        foreach (var waiter in waiters)
        {
            waiter.TrySetResult();
        }
    }
}
