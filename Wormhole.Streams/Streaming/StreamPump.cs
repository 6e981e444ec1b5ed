using ProtoBuf.Meta;
using Wormhole.Streams.Protocol;
using Wormhole.Streams.Transmaterialization;

namespace Wormhole.Streams.Streaming;

/// <summary>
/// Pulls an <see cref="IAsyncEnumerable{T}"/> (an Akka <c>Source</c> or an <see cref="IObservable{T}"/> arrive converted
/// to one) on the thread pool into a small buffer, never beyond the allowance the stage sets (credit and the producer
/// buffer, whichever is smaller), and wakes the stage when the buffer was empty and gets an element.
/// </summary>
/// <remarks>The source is opened at <see cref="Start"/>: a stream nobody consumes never runs its source.</remarks>
internal sealed class StreamPump<T> : IStreamPump
{
    private readonly Func<IAsyncEnumerable<T>> _open;
    private readonly Action _wake;
    private readonly CancellationTokenSource _cancel = new();
    private readonly object _gate = new();
    private readonly Queue<T> _buffer = new();
    private long _allowed;
    private long _pulled;
    private bool _done;
    private bool _wakeArmed = true;
    private TaskCompletionSource? _room;

    /// <param name="open">Makes the source, at the first demand.</param>
    /// <param name="wake">Asks the stage to take elements; called from the pump's thread.</param>
    public StreamPump(Func<IAsyncEnumerable<T>> open, Action wake)
    {
        _open = open;
        _wake = wake;
    }

    public Exception? Failure { get; private set; }

    /// <summary>For tests: runs on the pump's thread after each check for a cancel, before the check for room.</summary>
    internal Action? BeforeRoomCheck { get; init; }

    public void Start(long allowed)
    {
        _allowed = allowed;
        _ = Task.Run(RunAsync);
    }

    public void Allow(long allowed)
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            if (allowed <= _allowed)
            {
                return;
            }

            _allowed = allowed;
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }

    public PumpResult TryTake(RuntimeTypeModel model, IReferenceTable table, out byte[] element)
    {
        T item;
        lock (_gate)
        {
            if (!_buffer.TryDequeue(out item!))
            {
                element = [];
                if (_done)
                {
                    return Failure is null ? PumpResult.Completed : PumpResult.Failed;
                }

                _wakeArmed = true;
                return PumpResult.Empty;
            }
        }

        var stream = ScratchStream.Rent();
        try
        {
            model.Serialize(stream, item, table);
            element = stream.ToArray();
            return PumpResult.Element;
        }
        finally
        {
            ScratchStream.Return(stream);
        }
    }

    public bool TryEnd(out PumpResult result)
    {
        lock (_gate)
        {
            result = Failure is null ? PumpResult.Completed : PumpResult.Failed;
            return _done && _buffer.Count == 0;
        }
    }

    public void Cancel()
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            room = _room;
            _room = null;
        }

        _cancel.Cancel();
        room?.TrySetResult();
    }

    private async Task RunAsync()
    {
        Exception? failure = null;
        try
        {
            await using var elements = _open().GetAsyncEnumerator(_cancel.Token);
            while (!_cancel.IsCancellationRequested)
            {
                BeforeRoomCheck?.Invoke();
                Task? room = null;
                lock (_gate)
                {
                    if (_pulled >= _allowed)
                    {
                        _room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        room = _room.Task;
                    }
                }

                if (room is not null)
                {
                    // With the token too: a cancel that came after the loop's check but before this room was made found
                    // no room to complete, and would leave the pump waiting forever, its source never disposed.
                    await room.WaitAsync(_cancel.Token).ConfigureAwait(false);
                    continue;
                }

                if (!await elements.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                bool wake;
                lock (_gate)
                {
                    _buffer.Enqueue(elements.Current);
                    _pulled++;
                    wake = _wakeArmed;
                    _wakeArmed = false;
                }

                if (wake)
                {
                    _wake();
                }
            }
        }
        catch (Exception e) when (!_cancel.IsCancellationRequested)
        {
            failure = e;
        }
        catch (Exception)
        {
            // Cancelled: what the source threw on its way out is the cancellation itself.
        }

        lock (_gate)
        {
            _done = true;
            Failure = failure;
            _wakeArmed = false;
        }

        _wake(); // always: a stream whose credit ran out ends without waiting for more (see StreamTable.Build)
    }
}
