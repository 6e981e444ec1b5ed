using System.Threading.Tasks.Sources;

namespace Wormhole.Streams.Streaming;

internal sealed partial class ObservableBuffer<T>
{
    /// <summary>
    /// The observer subscribed to the source and the enumerator the consumer reads: a queue under a lock, and one reusable
    /// <see cref="ManualResetValueTaskSourceCore{TResult}"/> for a <c>MoveNextAsync</c> that has to wait.
    /// </summary>
    /// <remarks>
    /// Invariants (under <see cref="_gate"/>): <see cref="_waiting"/> implies an empty queue, so an overflow never has a
    /// waiter to wake; once <see cref="_ended"/> (completed, failed or overflowed) or stopped (<see cref="_cancelled"/>,
    /// <see cref="_disposed"/>), the source's signals are ignored. The waiter is completed outside the lock, by the one
    /// thread that cleared <see cref="_waiting"/>, so a push, a cancellation and a disposal racing each other wake it once.
    /// </remarks>
    private sealed class Enumerator : IAsyncEnumerator<T>, IObserver<T>, IValueTaskSource<bool>
    {
        private static readonly IDisposable Unsubscribed = new NoSubscription();

        private readonly Lock _gate = new();
        private readonly Queue<T> _queue;
        private readonly int _capacity;
        private readonly ObservableOverflowPolicy _policy;
        private readonly Action<int> _onDropped;
        private readonly CancellationToken _cancellationToken;
        private CancellationTokenRegistration _registration;
        private IDisposable? _subscription; // null until Subscribe returns; Unsubscribed once disposed
        private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
        private bool _waiting;
        private bool _ended;
        private Exception? _error;
        private bool _cancelled;
        private bool _disposed;
        private long _pushed;
        private T _current = default!;

        public Enumerator(ObservableBuffer<T> owner, CancellationToken cancellationToken)
        {
            _capacity = owner._capacity;
            _policy = owner._policy;
            _onDropped = owner._onDropped;
            _cancellationToken = cancellationToken;
            _queue = new Queue<T>(Math.Min(_capacity, 64));
        }

        public T Current => _current;

        public void Start(IObservable<T> source)
        {
            if (_cancellationToken.IsCancellationRequested)
            {
                _cancelled = true; // never subscribed
                return;
            }

            // A token cancelled from here on runs Cancel, which marks the subscription disposed even before it is set.
            _registration = _cancellationToken.UnsafeRegister(static self => ((Enumerator)self!).Cancel(), this);
            try
            {
                SetSubscription(source.Subscribe(this));
            }
            catch (Exception e)
            {
                OnError(e);
            }
        }

        public ValueTask<bool> MoveNextAsync()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return new ValueTask<bool>(false);
                }

                if (_cancelled)
                {
                    return ValueTask.FromCanceled<bool>(_cancellationToken);
                }

                if (_queue.TryDequeue(out var item))
                {
                    _current = item;
                    return new ValueTask<bool>(true);
                }

                _current = default!;
                if (_ended)
                {
                    return _error is null ? new ValueTask<bool>(false) : ValueTask.FromException<bool>(_error);
                }

                _signal.Reset();
                _waiting = true;
                return new ValueTask<bool>(this, _signal.Version);
            }
        }

        public void OnNext(T value)
        {
            bool handOff = false, dropped = false, overflowed = false;
            lock (_gate)
            {
                if (_ended || _cancelled || _disposed)
                {
                    return;
                }

                _pushed++;
                if (_waiting)
                {
                    _waiting = false;
                    _current = value;
                    handOff = true;
                }
                else if (_queue.Count < _capacity)
                {
                    _queue.Enqueue(value);
                }
                else if (_policy == ObservableOverflowPolicy.DropNewest)
                {
                    dropped = true;
                }
                else if (_policy == ObservableOverflowPolicy.DropOldest)
                {
                    _queue.Dequeue();
                    _queue.Enqueue(value);
                    dropped = true;
                }
                else
                {
                    _ended = true;
                    _error = new LimitExceededException(
                        nameof(NexusOptions.ObservableBufferSize),
                        $"ObservableBufferSize: the observable pushed its element {_pushed:N0} while {_capacity:N0} elements were buffered ahead of the peer's demand (overflow policy FailStream); the subscription was disposed and the buffered elements were emitted before this failure");
                    overflowed = true;
                }
            }

            if (handOff)
            {
                _signal.SetResult(true);
            }
            else if (dropped)
            {
                _onDropped(1);
            }
            else if (overflowed)
            {
                DisposeSubscription();
            }
        }

        public void OnCompleted() => End(null);

        public void OnError(Exception error) => End(error);

        public ValueTask DisposeAsync()
        {
            bool wake;
            lock (_gate)
            {
                if (_disposed)
                {
                    return default;
                }

                _disposed = true;
                wake = Stop();
            }

            _registration.Dispose();
            DisposeSubscription();
            if (wake)
            {
                _signal.SetResult(false);
            }

            return default;
        }

        bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

        void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _signal.OnCompleted(continuation, state, token, flags);

        private void End(Exception? error)
        {
            bool wake;
            lock (_gate)
            {
                if (_ended || _cancelled || _disposed)
                {
                    return;
                }

                _ended = true;
                _error = error;
                wake = _waiting;
                _waiting = false;
            }

            DisposeSubscription();
            if (!wake)
            {
                return;
            }

            if (error is null)
            {
                _signal.SetResult(false);
            }
            else
            {
                _signal.SetException(error);
            }
        }

        private void Cancel()
        {
            bool wake;
            lock (_gate)
            {
                if (_cancelled || _disposed)
                {
                    return;
                }

                _cancelled = true;
                wake = Stop();
            }

            DisposeSubscription();
            if (wake)
            {
                _signal.SetException(new OperationCanceledException(_cancellationToken));
            }
        }

        /// <summary>Under the lock: drops the buffer; returns whether a waiting <c>MoveNextAsync</c> is the caller's to wake.</summary>
        private bool Stop()
        {
            _queue.Clear();
            var wake = _waiting;
            _waiting = false;
            return wake;
        }

        private void SetSubscription(IDisposable subscription)
        {
            if (Interlocked.CompareExchange(ref _subscription, subscription, null) is not null)
            {
                subscription.Dispose(); // disposed while Subscribe ran (a synchronous end, overflow or cancellation)
            }
        }

        private void DisposeSubscription()
        {
            var subscription = Interlocked.Exchange(ref _subscription, Unsubscribed);
            if (subscription is not null && !ReferenceEquals(subscription, Unsubscribed))
            {
                subscription.Dispose();
            }
        }

        private sealed class NoSubscription : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
