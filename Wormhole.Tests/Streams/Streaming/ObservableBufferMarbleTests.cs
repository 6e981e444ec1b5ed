using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using Wormhole.Streams;
using Wormhole.Streams.Streaming;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>
/// <see cref="ObservableBuffer{T}"/>: a hot observable pushes at virtual times, an <see cref="ObservablePuller{T}"/>
/// enumerates at 200 and pulls at given times; the elements are recorded at the time of the pull that took them.
/// </summary>
public sealed class ObservableBufferMarbleTests : ReactiveTest
{
    private readonly List<long> _drops = [];

    [Fact]
    public void ObservableBuffer_Complete_YieldsBufferedAndWaitedElementsThenEnds()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(212, 3),
            OnNext(220, 4),
            OnCompleted<int>(250),
            OnNext(260, 9));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream));
        puller.Pull(215); // 2 and 3 are buffered; then it waits
        puller.Pull(230); // the wait took 4
        puller.Pull(300); // the wait ended at 250
        scheduler.Start();

        puller.Messages.AssertEqual(
            OnNext(215, 2),
            OnNext(215, 3),
            OnNext(230, 4),
            OnCompleted<int>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250)); // disposed at completion, as an Rx operator does
        Assert.Empty(_drops);
    }

    [Fact]
    public void ObservableBuffer_Error_YieldsBufferedElementsThenThrowsSourceError()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(220, 2),
            OnError<int>(230, ex),
            OnNext(240, 3));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream));
        puller.Pull(300);
        scheduler.Start();

        puller.Messages.AssertEqual(
            OnNext(300, 1),
            OnNext(300, 2),
            OnError<int>(300, ex));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Fact]
    public void ObservableBuffer_ErrorWhileWaiting_WaitThrowsSourceError()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnError<int>(230, ex));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream));
        puller.Pull(215);
        puller.Pull(300);
        scheduler.Start();

        puller.Messages.AssertEqual(
            OnNext(215, 1),
            OnError<int>(300, ex));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Fact]
    public void ObservableBuffer_Dispose_UnsubscribesAndDropsBuffered()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(212, 2),
            OnNext(214, 3),
            OnNext(230, 4),
            OnCompleted<int>(250));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream));
        puller.Pull(211, count: 1);
        puller.Dispose(225); // 2 and 3 are buffered
        puller.Pull(300);
        scheduler.Start();

        puller.Messages.AssertEqual(
            OnNext(211, 1),
            OnCompleted<int>(300)); // MoveNextAsync after DisposeAsync returns false, as an iterator's does
        xs.Subscriptions.AssertEqual(Subscribe(200, 225));
    }

    [Fact]
    public void ObservableBuffer_DisposeWhileWaiting_UnsubscribesAndWaitReturnsFalse()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(230, 2),
            OnCompleted<int>(250));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream));
        puller.Pull(215);
        puller.Dispose(225);
        puller.Pull(300);
        scheduler.Start();

        puller.Messages.AssertEqual(
            OnNext(215, 1),
            OnCompleted<int>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 225));
    }

    [Fact]
    public void ObservableBuffer_CancelWhileWaiting_UnsubscribesAndWaitThrowsOperationCanceled()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(230, 2),
            OnCompleted<int>(250));
        var puller = new ObservablePuller<int>(scheduler);
        using var cancellation = new CancellationTokenSource();

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream), cancellationToken: cancellation.Token);
        puller.Pull(215);
        scheduler.ScheduleAbsolute(225, cancellation.Cancel);
        puller.Pull(300);
        scheduler.Start();

        Assert.Equal(2, puller.Messages.Count);
        Assert.Equal(OnNext(215, 1), puller.Messages[0]);
        AssertCanceled(puller.Messages[1], at: 300, cancellation.Token);
        xs.Subscriptions.AssertEqual(Subscribe(200, 225));
    }

    [Fact]
    public void ObservableBuffer_CancelWithElementsBuffered_UnsubscribesAndThrowsOperationCanceledInsteadOfThem()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(212, 2),
            OnNext(230, 3));
        var puller = new ObservablePuller<int>(scheduler);
        using var cancellation = new CancellationTokenSource();

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream), cancellationToken: cancellation.Token);
        puller.Pull(211, count: 1);
        scheduler.ScheduleAbsolute(225, cancellation.Cancel); // 2 is buffered
        puller.Pull(300);
        scheduler.Start();

        Assert.Equal(2, puller.Messages.Count);
        Assert.Equal(OnNext(211, 1), puller.Messages[0]);
        AssertCanceled(puller.Messages[1], at: 300, cancellation.Token);
        xs.Subscriptions.AssertEqual(Subscribe(200, 225));
    }

    [Fact]
    public void ObservableBuffer_TokenAlreadyCanceled_NeverSubscribes()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnCompleted<int>(250));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream), cancellationToken: new CancellationToken(canceled: true));
        puller.Pull(300);
        scheduler.Start();

        AssertCanceled(Assert.Single(puller.Messages), at: 300, new CancellationToken(canceled: true));
        Assert.Empty(xs.Subscriptions);
    }

    [Fact]
    public void ObservableBuffer_DropOldest_KeepsNewestAndCountsEachDropAtItsPush()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(230, 3),
            OnNext(240, 4),
            OnNext(245, 5),
            OnCompleted<int>(250));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 2, ObservableOverflowPolicy.DropOldest));
        puller.Pull(300);
        scheduler.Start();

        puller.Messages.AssertEqual(
            OnNext(300, 4),
            OnNext(300, 5),
            OnCompleted<int>(300));
        Assert.Equal([230L, 240L, 245L], _drops);
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void ObservableBuffer_DropNewest_KeepsOldestAndCountsEachDropAtItsPush()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(230, 3),
            OnNext(240, 4),
            OnNext(245, 5),
            OnCompleted<int>(250));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 2, ObservableOverflowPolicy.DropNewest));
        puller.Pull(235, count: 1); // makes room for 4
        puller.Pull(300);
        scheduler.Start();

        puller.Messages.AssertEqual(
            OnNext(235, 1),
            OnNext(300, 2),
            OnNext(300, 4),
            OnCompleted<int>(300));
        Assert.Equal([230L, 245L], _drops);
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void ObservableBuffer_FailStream_UnsubscribesAtOverflowYieldsBufferedThenThrowsLimitExceeded()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(230, 3),
            OnNext(240, 4),
            OnCompleted<int>(250));
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(Buffer(scheduler, xs, 2, ObservableOverflowPolicy.FailStream));
        puller.Pull(300);
        scheduler.Start();

        Assert.Equal(3, puller.Messages.Count);
        Assert.Equal([OnNext(300, 1), OnNext(300, 2)], puller.Messages.Take(2));
        Assert.Equal(300, puller.Messages[2].Time);
        var failure = Assert.IsType<LimitExceededException>(puller.Messages[2].Value.Exception);
        Assert.Equal(nameof(NexusOptions.ObservableBufferSize), failure.Limit);
        Assert.Contains("element 3 while 2 elements were buffered", failure.Message, StringComparison.Ordinal);
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
        Assert.Empty(_drops);
    }

    [Fact]
    public async Task ObservableBuffer_FailStreamDuringSubscribe_DisposesTheSubscriptionSubscribeReturns()
    {
        var disposed = new BooleanDisposable();
        var pushed = 0;
        var source = Observable.Create<int>(observer =>
        {
            for (var i = 1; i <= 5; i++)
            {
                pushed++;
                observer.OnNext(i); // the buffer overflows at 3, before Subscribe has returned its subscription
            }

            return disposed;
        });

        await using var enumerator = new ObservableBuffer<int>(source, 2, ObservableOverflowPolicy.FailStream, _ => { }).GetAsyncEnumerator();

        Assert.True(disposed.IsDisposed);
        Assert.Equal(5, pushed); // this source does not look at its subscription; the pushes after the overflow were ignored
        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal(1, enumerator.Current);
        Assert.True(await enumerator.MoveNextAsync());
        Assert.Equal(2, enumerator.Current);
        await Assert.ThrowsAsync<LimitExceededException>(async () => await enumerator.MoveNextAsync());
    }

    [Fact]
    public void ObservableBuffer_SubscribeThrows_StreamFailsWithThatException()
    {
        var ex = new InvalidOperationException("subscribe failed");
        var source = Observable.Create(new Func<IObserver<int>, IDisposable>(_ => throw ex));

        var enumerator = new ObservableBuffer<int>(source, 2, ObservableOverflowPolicy.FailStream, _ => { }).GetAsyncEnumerator();

        var next = enumerator.MoveNextAsync();
        Assert.True(next.IsFaulted);
        Assert.Same(ex, next.AsTask().Exception!.InnerException);
    }

    [Fact]
    public void ObservableBuffer_SecondEnumeration_ThrowsAndDoesNotSubscribeAgain()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnCompleted<int>(250));
        var buffer = Buffer(scheduler, xs, 16, ObservableOverflowPolicy.FailStream);
        InvalidOperationException? second = null;
        var puller = new ObservablePuller<int>(scheduler);

        puller.Enumerate(buffer);
        scheduler.ScheduleAbsolute(220, () => second = Assert.Throws<InvalidOperationException>(() => buffer.GetAsyncEnumerator()));
        puller.Pull(300);
        scheduler.Start();

        Assert.Contains("GetAsyncEnumerator may be called once", second!.Message, StringComparison.Ordinal);
        puller.Messages.AssertEqual(
            OnNext(300, 1),
            OnCompleted<int>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    private static void AssertCanceled(Recorded<Notification<int>> message, long at, CancellationToken token)
    {
        Assert.Equal(at, message.Time);
        Assert.Equal(NotificationKind.OnError, message.Value.Kind);
        var canceled = Assert.IsAssignableFrom<OperationCanceledException>(message.Value.Exception);
        Assert.Equal(token, canceled.CancellationToken);
    }

    private ObservableBuffer<int> Buffer(RxTestScheduler scheduler, IObservable<int> source, int capacity, ObservableOverflowPolicy policy) =>
        new(source, capacity, policy, n =>
        {
            Assert.Equal(1, n);
            _drops.Add(scheduler.Clock);
        });
}
