using System.Reactive.Linq;
using Akka.TestKit.Xunit2;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using Wormhole.Testing;
using static Microsoft.Reactive.Testing.ReactiveTest;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Reactive.FnActors;

/// <summary>A function actor as a stage of a combinator pipeline, marble-tested on a <see cref="DeterministicActorSystem"/>.</summary>
public sealed class FnActorMarbleTests() : TestKit(DeterministicActorSystem.Config)
{
    private static readonly TimeSpan FiveTicks = TimeSpan.FromTicks(5);

    [Fact]
    public void FnActor_BetweenCombinators_EachMessageAtItsVirtualTime()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(240, 3),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var delayed = mailbox.Ref.Through<int, int>(obs => obs.Delay(FiveTicks, scheduler));
        var totals = FnActor.Spawn<int>(Sys, async ctx =>
        {
            var total = 0;
            await foreach (var n in ctx.Messages)
            {
                total += n;
                delayed.Tell(total);
            }
        });
        var tenfold = totals.Map((int x) => x * 10);

        scheduler.Feed(xs, tenfold.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(215, 10),
            OnNext(225, 30),
            OnNext(245, 60));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    /// <summary>A function actor that reads its mailbox as an observable and feeds a time-based combinator.</summary>
    [Fact]
    public void FnActorObservable_FeedsTimeBasedCombinator_EachMessageAtItsVirtualTime()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(215, 2),
            OnNext(240, 3),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var quiet = mailbox.Ref.Through<int, int>(obs => obs.Throttle(TimeSpan.FromTicks(10), scheduler));
        var squares = FnActor.Spawn<int>(Sys, async ctx =>
        {
            await ctx.AsObservable().Select(n => n * n).ForEachAsync(n => quiet.Tell(n));
        });

        scheduler.Feed(xs, squares.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(225, 4),
            OnNext(250, 9));
    }
}
