using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Reactive.Combinators;

/// <summary>Wiring for marble tests of actor references: a source feeds a reference, a mailbox records what reaches the target.</summary>
internal static class Marbles
{
    /// <summary>
    /// Subscribes <paramref name="observer"/> to <paramref name="source"/> at <paramref name="subscribed"/> and
    /// disposes the subscription at <paramref name="disposed"/> (virtual time).
    /// </summary>
    /// <remarks>
    /// The subscription goes through Rx's <c>AsObservable</c>, which ends it when the source completes or
    /// fails, as any Rx operator would: a test hot observable keeps calling a raw observer after its
    /// <c>OnCompleted</c> (see <see cref="AsObserverTests"/> for what <c>AsObserver</c> does with that).
    /// </remarks>
    public static void Feed<T>(
        this RxTestScheduler scheduler,
        IObservable<T> source,
        IObserver<T> observer,
        long subscribed = ReactiveTest.Subscribed,
        long disposed = ReactiveTest.Disposed)
    {
        IDisposable subscription = Disposable.Empty;
        scheduler.ScheduleAbsolute(subscribed, () => subscription = source.AsObservable().Subscribe(observer));
        scheduler.ScheduleAbsolute(disposed, () => subscription.Dispose());
    }

    /// <summary>Records, in virtual time, every message the mailbox's actor receives from now on.</summary>
    public static ITestableObserver<T> Record<T>(this RxTestScheduler scheduler, ObservableMailbox<T> mailbox)
    {
        var results = scheduler.CreateObserver<T>();
        mailbox.AsObservable().Subscribe(results);
        return results;
    }
}
