using System.Reactive;
using System.Reactive.Concurrency;
using Microsoft.Reactive.Testing;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>
/// A consumer of an <see cref="IAsyncEnumerable{T}"/> driven by Rx's <c>TestScheduler</c>: it enumerates, pulls and
/// disposes at given virtual times and records each element, completion or failure at the time it is taken.
/// </summary>
/// <remarks>
/// It never awaits: a <c>MoveNextAsync</c> that does not complete synchronously is kept and looked at again by the next
/// pull, whose time is then the time recorded. So the recording is deterministic whatever thread completes the wait.
/// </remarks>
internal sealed class ObservablePuller<T>
{
    private readonly RxTestScheduler _scheduler;
    private readonly ITestableObserver<T> _results;
    private IAsyncEnumerator<T>? _enumerator;
    private ValueTask<bool>? _pending;
    private bool _ended;

    public ObservablePuller(RxTestScheduler scheduler)
    {
        _scheduler = scheduler;
        _results = scheduler.CreateObserver<T>();
    }

    /// <summary>Each element, the completion or the failure, at the virtual time of the pull that took it.</summary>
    public IList<Recorded<Notification<T>>> Messages => _results.Messages;

    /// <summary>Whether the last pull left a <c>MoveNextAsync</c> waiting.</summary>
    public bool Waiting => _pending is not null;

    /// <summary>Calls <c>GetAsyncEnumerator</c> at <paramref name="at"/>.</summary>
    public void Enumerate(IAsyncEnumerable<T> source, long at = ReactiveTest.Subscribed, CancellationToken cancellationToken = default) =>
        _scheduler.ScheduleAbsolute(at, () => _enumerator = source.GetAsyncEnumerator(cancellationToken));

    /// <summary>At <paramref name="at"/>, takes up to <paramref name="count"/> elements that are there without waiting.</summary>
    public void Pull(long at, int count = int.MaxValue) => _scheduler.ScheduleAbsolute(at, () => Drain(count));

    /// <summary>Disposes the enumerator at <paramref name="at"/>; the disposal must complete synchronously.</summary>
    public void Dispose(long at) => _scheduler.ScheduleAbsolute(at, () =>
    {
        var disposal = _enumerator!.DisposeAsync();
        Assert.True(disposal.IsCompletedSuccessfully, "DisposeAsync completed synchronously");
    });

    private void Drain(int count)
    {
        while (!_ended && count > 0)
        {
            var next = _pending ?? _enumerator!.MoveNextAsync();
            if (!next.IsCompleted)
            {
                _pending = next;
                return;
            }

            _pending = null;
            try
            {
                if (next.GetAwaiter().GetResult())
                {
                    _results.OnNext(_enumerator!.Current);
                    count--;
                }
                else
                {
                    _ended = true;
                    _results.OnCompleted();
                }
            }
            catch (Exception e)
            {
                _ended = true;
                _results.OnError(e);
            }
        }
    }
}
