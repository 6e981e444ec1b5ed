using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Testing;

/// <summary>
/// Wiring for marble tests of actor pipelines on Rx's <c>TestScheduler</c>, in an actor system from
/// <see cref="DeterministicActorSystem"/>: feed a test observable to an actor, record what an actor receives.
/// </summary>
public static class ActorMarbles
{
    /// <summary>
    /// Subscribes <paramref name="observer"/> (e.g. <c>reference.AsObserver()</c>) to <paramref name="source"/> at
    /// virtual time <paramref name="subscribed"/> and disposes the subscription at <paramref name="disposed"/>, the
    /// times Rx's <c>TestScheduler.Start</c> uses.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="scheduler">The test's scheduler.</param>
    /// <param name="source">What to feed, typically a hot observable of the test.</param>
    /// <param name="observer">What it feeds.</param>
    /// <param name="subscribed">When to subscribe; 200 by default (<see cref="ReactiveTest.Subscribed"/>).</param>
    /// <param name="disposed">When to dispose; 1000 by default (<see cref="ReactiveTest.Disposed"/>).</param>
    /// <remarks>
    /// The subscription goes through Rx's <c>AsObservable</c>, which ends it when the source completes or fails, as
    /// any Rx operator would, so the source's <c>Subscriptions</c> show when it ended. A test hot observable
    /// subscribed directly keeps calling its observer after <c>OnCompleted</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/>, <paramref name="source"/> or <paramref name="observer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="disposed"/> is before <paramref name="subscribed"/>.</exception>
    public static void Feed<T>(
        this RxTestScheduler scheduler,
        IObservable<T> source,
        IObserver<T> observer,
        long subscribed = ReactiveTest.Subscribed,
        long disposed = ReactiveTest.Disposed)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentOutOfRangeException.ThrowIfLessThan(disposed, subscribed);
        IDisposable subscription = Disposable.Empty;
        scheduler.ScheduleAbsolute(subscribed, () => subscription = source.AsObservable().Subscribe(observer));
        scheduler.ScheduleAbsolute(disposed, () => subscription.Dispose());
    }

    /// <summary>
    /// Records, at the scheduler's virtual time, every message that <paramref name="mailbox"/>'s actor receives from
    /// now on, and its stop as <c>OnCompleted</c>: spawn the mailbox as the end of the pipeline under test.
    /// </summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="scheduler">The test's scheduler.</param>
    /// <param name="mailbox">The actor whose messages to record.</param>
    /// <returns>The recording; assert its <c>Messages</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/> or <paramref name="mailbox"/> is null.</exception>
    public static ITestableObserver<T> Record<T>(this RxTestScheduler scheduler, ObservableMailbox<T> mailbox)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(mailbox);
        var results = scheduler.CreateObserver<T>();
        mailbox.AsObservable().Subscribe(results);
        return results;
    }
}
