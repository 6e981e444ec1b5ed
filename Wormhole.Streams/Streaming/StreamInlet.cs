using Wormhole.Streams.Portals;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Streaming;

/// <summary>
/// A stream from the peer as this side consumes it: the buffer the stage fills (never past the credit it granted) and the
/// consumer drains, once. It is the <see cref="IAsyncEnumerable{T}"/> a payload's field receives; the <c>Source</c> and
/// <see cref="IObservable{T}"/> forms read it too (<see cref="RemoteSourceStage{T}"/>, <see cref="RemoteObservable{T}"/>).
/// </summary>
/// <remarks>
/// Thread safety: the stage calls <see cref="Accept"/>, <see cref="Complete"/>, <see cref="Fail"/> and
/// <see cref="Report"/>; one consumer, on any thread, calls the rest. Consuming it posts to the portal: the first
/// <c>Demand</c> when it is claimed, more credit each time half a window has been taken, a cancel when it stops early.
/// </remarks>
internal sealed class StreamInlet<T> : ConsumedStream, IAsyncEnumerable<T>
{
    private readonly object _gate = new();
    private readonly Queue<(T Item, int Bytes)> _buffer = new();
    private readonly PortalCommandQueue _portal;
    private bool _ended;
    private Exception? _failure;
    private bool _cancelled;
    private Action? _onReady;
    private int _claimed;
    private ulong _taken;
    private ulong _accepted;
    private ulong _takenBytes;
    private ulong _reportedTaken;
    private ulong _reportedBytes;
    private bool _reportPending;
    private bool _ranDry;

    public StreamInlet(WireId id, long announcedAtTick, int windowElements, long windowBytes, PortalCommandQueue portal)
        : base(id, announcedAtTick, windowElements, windowBytes)
    {
        _portal = portal;
    }

    public override Type ElementType => typeof(T);

    /// <summary>Enumerates the stream; the second call throws.</summary>
    /// <exception cref="InvalidOperationException">The stream was consumed already.</exception>
    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        Claim($"IAsyncEnumerable<{typeof(T).Name}>", "enumerated");
        return Open(cancellationToken);
    }

    /// <summary>Marks the stream consumed and asks the portal to open it.</summary>
    /// <exception cref="InvalidOperationException">It was consumed already.</exception>
    public void Claim(string form, string how)
    {
        if (Interlocked.Exchange(ref _claimed, 1) != 0)
        {
            throw new InvalidOperationException(
                $"This {form} is a stream from the peer, which can be consumed once, and it was {how} already: "
                + "ask the peer for another stream, or share the elements on this side (e.g. Publish/Replay in Rx, a BroadcastHub in Akka.Streams).");
        }

        _portal.Post(new PortalCommand.StreamConsumed(this));
    }

    /// <summary>An enumerator over the claimed stream.</summary>
    public IAsyncEnumerator<T> Open(CancellationToken cancellationToken) => new Enumerator(this, cancellationToken);

    /// <summary>The next element, if one is buffered; otherwise whether and how the stream ended.</summary>
    public InletPoll TryTake(out T item, out Exception? failure)
    {
        var report = false;
        lock (_gate)
        {
            if (_buffer.TryDequeue(out var next))
            {
                item = next.Item;
                failure = null;
                _taken++;
                _takenBytes += (ulong)next.Bytes;
                if (!_reportPending && (_taken - _reportedTaken >= (ulong)Math.Max(1, WindowElements / 2) || _takenBytes - _reportedBytes >= (ulong)(WindowBytes / 2)))
                {
                    _reportPending = report = true;
                }
            }
            else
            {
                item = default!;
                failure = _failure;
                if (_ended || _failure is not null)
                {
                    return InletPoll.Ended;
                }

                _ranDry |= Granted > 0 && _accepted == Granted; // waiting for credit, not for a slow producer or the first grant
                return InletPoll.Empty;
            }
        }

        if (report)
        {
            _portal.Post(new PortalCommand.StreamConsumed(this));
        }

        return InletPoll.Element;
    }

    /// <summary>Calls <paramref name="ready"/> once, when an element or the end is there (at once if it is already).</summary>
    public void OnReady(Action ready)
    {
        lock (_gate)
        {
            if (_buffer.Count == 0 && !_ended && _failure is null)
            {
                _onReady = ready;
                return;
            }
        }

        ready();
    }

    /// <summary>The consumer stops early: the producer is cancelled; what is buffered is dropped. Idempotent; no-op once ended.</summary>
    public void Cancel()
    {
        Action? ready;
        lock (_gate)
        {
            if (_ended || _failure is not null || _cancelled)
            {
                return;
            }

            _cancelled = true;
            _failure = new OperationCanceledException("The stream was cancelled by its consumer.");
            _buffer.Clear();
            ready = _onReady;
            _onReady = null;
        }

        ready?.Invoke();
        _portal.Post(new PortalCommand.StreamCancelled(this));
    }

    public override void Accept(List<byte[]> elements, PayloadModel payloads, Portals.ReferenceTable table)
    {
        var decoded = new (T, int)[elements.Count];
        for (var i = 0; i < elements.Count; i++)
        {
            try
            {
                decoded[i] = ((T)payloads.Deserialize(typeof(T), elements[i], table)!, elements[i].Length);
            }
            finally
            {
                table.EndMessage();
            }
        }

        Action? ready;
        lock (_gate)
        {
            if (_cancelled || _ended || _failure is not null)
            {
                return;
            }

            foreach (var element in decoded)
            {
                _buffer.Enqueue(element);
            }

            _accepted += (ulong)decoded.Length;
            ready = _onReady;
            _onReady = null;
        }

        ready?.Invoke();
    }

    public override void Complete() => End(failure: null);

    public override void Fail(Exception failure) => End(failure);

    public override (ulong Taken, ulong TakenBytes, bool RanDry) Report()
    {
        lock (_gate)
        {
            var report = (_taken, _takenBytes, _ranDry);
            _reportedTaken = _taken;
            _reportedBytes = _takenBytes;
            _reportPending = false;
            _ranDry = false;
            return report;
        }
    }

    private void End(Exception? failure)
    {
        Action? ready;
        lock (_gate)
        {
            if (_ended || _failure is not null)
            {
                return;
            }

            _ended = failure is null;
            _failure = failure;
            ready = _onReady;
            _onReady = null;
        }

        ready?.Invoke();
    }

    private sealed class Enumerator(StreamInlet<T> inlet, CancellationToken cancellationToken) : IAsyncEnumerator<T>
    {
        private readonly CancellationTokenRegistration _cancellation = cancellationToken.Register(static state => ((StreamInlet<T>)state!).Cancel(), inlet);

        public T Current { get; private set; } = default!;

        public ValueTask<bool> MoveNextAsync()
        {
            cancellationToken.ThrowIfCancellationRequested();
            return inlet.TryTake(out var item, out var failure) switch
            {
                InletPoll.Element => Yield(item),
                InletPoll.Ended => failure is null ? new ValueTask<bool>(false) : ValueTask.FromException<bool>(failure),
                _ => WaitAsync(),
            };
        }

        public ValueTask DisposeAsync()
        {
            _cancellation.Dispose();
            inlet.Cancel();
            return default;
        }

        private ValueTask<bool> Yield(T item)
        {
            Current = item;
            return new ValueTask<bool>(true);
        }

        private async ValueTask<bool> WaitAsync()
        {
            while (true)
            {
                var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                inlet.OnReady(() => ready.TrySetResult());
                await using (cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), ready))
                {
                    await ready.Task.ConfigureAwait(false);
                }

                cancellationToken.ThrowIfCancellationRequested();
                switch (inlet.TryTake(out var item, out var failure))
                {
                    case InletPoll.Element:
                        Current = item;
                        return true;
                    case InletPoll.Ended when failure is null:
                        return false;
                    case InletPoll.Ended:
                        throw failure!;
                }
            }
        }
    }
}

/// <summary>What <see cref="StreamInlet{T}.TryTake"/> found.</summary>
internal enum InletPoll
{
    Element,
    Empty,
    Ended,
}
