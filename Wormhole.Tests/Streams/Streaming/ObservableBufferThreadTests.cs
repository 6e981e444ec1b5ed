using System.Diagnostics;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Wormhole.Streams;
using Wormhole.Streams.Streaming;
using Wormhole.Tests.Support;
using Xunit.Abstractions;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary><see cref="ObservableBuffer{T}"/> with the observable pushing on one thread and the consumer reading on another.</summary>
public sealed class ObservableBufferThreadTests(ITestOutputHelper output)
{
    private const int Count = 1_000_000;

    [Fact]
    public async Task ObservableBuffer_ProducerThreadMillionElements_ConsumerGetsAllInOrder()
    {
        var subject = new Subject<int>();
        var dropped = 0;
        var buffer = new ObservableBuffer<int>(subject, Count, ObservableOverflowPolicy.DropNewest, n => Interlocked.Add(ref dropped, n));
        await using var enumerator = buffer.GetAsyncEnumerator();
        var producer = new Thread(() =>
        {
            for (var i = 0; i < Count; i++)
            {
                subject.OnNext(i);
            }

            subject.OnCompleted();
        }) { IsBackground = true, Name = "observable producer" };

        var consumer = Task.Run(async () =>
        {
            var expected = 0;
            while (await enumerator.MoveNextAsync())
            {
                Assert.Equal(expected, enumerator.Current);
                expected++;
            }

            return expected;
        });
        producer.Start();

        Assert.Equal(Count, await consumer.WaitAsync(Bounds.Long));
        Assert.Equal(0, Volatile.Read(ref dropped));
    }

    [Fact]
    public async Task ObservableBuffer_FailStreamOnBackgroundThread_StopsProducerAndYieldsBufferedThenThrows()
    {
        const int capacity = 1_000;
        var pushed = 0;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscribed = new ManualResetEventSlim();
        var source = Observable.Create<int>(observer =>
        {
            var subscription = new BooleanDisposable();
            var thread = new Thread(() =>
            {
                // Pushing before Subscribe has returned would overflow before the buffer holds the subscription to dispose.
                subscribed.Wait(Bounds.Long);
                for (var i = 0; i < Count && !subscription.IsDisposed; i++)
                {
                    pushed++;
                    observer.OnNext(i);
                }

                stopped.SetResult();
            }) { IsBackground = true, Name = "observable producer" };
            thread.Start();
            return subscription;
        });
        await using var enumerator = new ObservableBuffer<int>(source, capacity, ObservableOverflowPolicy.FailStream, _ => { }).GetAsyncEnumerator();
        subscribed.Set();

        await stopped.Task.WaitAsync(Bounds.Long); // nothing is read until the producer has stopped

        Assert.Equal(capacity + 1, pushed); // the overflowing push disposed the subscription at once
        for (var i = 0; i < capacity; i++)
        {
            Assert.True(await enumerator.MoveNextAsync());
            Assert.Equal(i, enumerator.Current);
        }

        var failure = await Assert.ThrowsAsync<LimitExceededException>(async () => await enumerator.MoveNextAsync());
        Assert.Equal(nameof(NexusOptions.ObservableBufferSize), failure.Limit);
        Assert.Contains("element 1,001 while 1,000 elements were buffered", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Three rounds, so the later ones show the rate of optimised code (the figure logged is elements/s).</summary>
    [Fact]
    public async Task ObservableBuffer_SynchronousMillionPushThenDrain_AllInOrderWithoutWaiting()
    {
        for (var round = 1; round <= 3; round++)
        {
            var source = new DirectObservable<int>();
            await using var enumerator = new ObservableBuffer<int>(source, Count, ObservableOverflowPolicy.FailStream, _ => { }).GetAsyncEnumerator();
            var clock = Stopwatch.StartNew();

            for (var i = 0; i < Count; i++)
            {
                source.Observer.OnNext(i);
            }

            source.Observer.OnCompleted();
            var expected = 0;
            while (Synchronously(enumerator.MoveNextAsync())) // every element is buffered: no MoveNextAsync waits
            {
                if (enumerator.Current != expected)
                {
                    Assert.Equal(expected, enumerator.Current);
                }

                expected++;
            }

            clock.Stop();
            Assert.Equal(Count, expected);
            output.WriteLine($"round {round}, push 1M then drain: {Count / clock.Elapsed.TotalSeconds:N0} elements/s");
        }
    }

    /// <summary>Three rounds, so the later ones show the rate of optimised code (the figure logged is elements/s).</summary>
    [Fact]
    public async Task ObservableBuffer_SynchronousMillionPushDrainInterleaved_AllInOrderWithoutWaiting()
    {
        for (var round = 1; round <= 3; round++)
        {
            var source = new DirectObservable<int>();
            await using var enumerator = new ObservableBuffer<int>(source, 1, ObservableOverflowPolicy.FailStream, _ => { }).GetAsyncEnumerator();
            var clock = Stopwatch.StartNew();

            for (var i = 0; i < Count; i++)
            {
                source.Observer.OnNext(i);
                if (!Synchronously(enumerator.MoveNextAsync()) || enumerator.Current != i)
                {
                    Assert.Fail($"element {i}: current {enumerator.Current}");
                }
            }

            clock.Stop();
            output.WriteLine($"round {round}, push one, drain one (1M): {Count / clock.Elapsed.TotalSeconds:N0} elements/s");
        }
    }

    /// <summary>The result of a <c>MoveNextAsync</c> that must have completed without waiting.</summary>
    private static bool Synchronously(ValueTask<bool> next)
    {
        if (!next.IsCompleted)
        {
            Assert.Fail("MoveNextAsync waited although an element was buffered");
        }

        return next.GetAwaiter().GetResult();
    }
}

/// <summary>An observable that hands its one observer to the test, which pushes straight to it (no Rx operator between).</summary>
internal sealed class DirectObservable<T> : IObservable<T>
{
    public IObserver<T> Observer { get; private set; } = null!;

    public IDisposable Subscribe(IObserver<T> observer)
    {
        Observer = observer;
        return Disposable.Empty;
    }
}
