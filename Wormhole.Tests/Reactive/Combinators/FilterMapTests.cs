using System.Reactive.Concurrency;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using Wormhole.Testing;
using Wormhole.Tests.Support;
using static Microsoft.Reactive.Testing.ReactiveTest;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Reactive.Combinators;

/// <summary><c>target.FilterMap(tryMap)</c>: marble tests on a calling-thread actor system; the new reference parses strings, the target gets the numbers.</summary>
public sealed class FilterMapTests() : TestKit(DeterministicActorSystem.Config)
{
    [Fact]
    public void FilterMap_Complete()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "1"),
            OnNext(210, "2"),
            OnNext(220, "x"),
            OnNext(230, "0"),
            OnNext(240, "-4"),
            OnCompleted<string>(250),
            OnNext(260, "6"));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var numbers = mailbox.Ref.FilterMap((string s, out int n) => int.TryParse(s, out n));

        scheduler.Feed(xs, numbers.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(230, 0), // the default of int passes when the parse succeeds
            OnNext(240, -4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void FilterMap_Error()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "1"),
            OnNext(210, "2"),
            OnNext(220, "x"),
            OnError<string>(230, ex),
            OnNext(240, "4"));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var numbers = mailbox.Ref.FilterMap((string s, out int n) => int.TryParse(s, out n));

        scheduler.Feed(xs, numbers.AsObserver(onError: _ => "-1")); // the error's message is parsed like any other
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(230, -1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Fact]
    public void FilterMap_TryMapThrows()
    {
        var scheduler = new RxTestScheduler();
        var ex = new FormatException("cannot parse !");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "1"),
            OnNext(210, "2"),
            OnNext(220, "!"),
            OnNext(230, "x"),
            OnNext(240, "4"));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var numbers = mailbox.Ref.FilterMap((string s, out int n) => s == "!" ? throw ex : int.TryParse(s, out n));
        Watch(numbers.Untyped);

        scheduler.Feed(xs, numbers.AsObserver());
        EventFilter.Exception<FormatException>("cannot parse !").ExpectOne(() => scheduler.Start());

        // The default supervisor restarted the intermediate actor: "4" still flows.
        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(240, 4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
        ExpectNoMsg(Bounds.Short); // not Terminated: the source never completes, so only the throw could have stopped it
    }

    [Fact]
    public void FilterMap_Dispose()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "1"),
            OnNext(210, "2"),
            OnNext(220, "x"),
            OnNext(230, "4"),
            OnCompleted<string>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var numbers = mailbox.Ref.FilterMap((string s, out int n) => int.TryParse(s, out n));

        scheduler.Feed(xs, numbers.AsObserver(), disposed: 225);
        scheduler.Start();

        results.Messages.AssertEqual(OnNext(210, 2));
        xs.Subscriptions.AssertEqual(Subscribe(200, 225));
    }

    [Fact]
    public void FilterMap_TargetStops_StopsIntermediate()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "1"),
            OnNext(210, "2"),
            OnNext(230, "4"),
            OnCompleted<string>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var numbers = mailbox.Ref.FilterMap((string s, out int n) => int.TryParse(s, out n));
        Watch(numbers.Untyped);

        scheduler.Feed(xs, numbers.AsObserver());
        scheduler.ScheduleAbsolute(220, mailbox.Dispose);
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnCompleted<int>(220));
        ExpectTerminated(numbers.Untyped, Bounds.Long);
    }

    [Fact]
    public void FilterMap_PoisonPill_StopsIntermediateNotTarget()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "1"),
            OnNext(210, "2"),
            OnNext(230, "4"),
            OnCompleted<string>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var numbers = mailbox.Ref.FilterMap((string s, out int n) => int.TryParse(s, out n));
        Watch(numbers.Untyped);

        scheduler.Feed(xs, numbers.AsObserver());
        scheduler.ScheduleAbsolute(220, () => numbers.Untyped.Tell(PoisonPill.Instance));
        scheduler.ScheduleAbsolute(240, () => mailbox.Ref.Tell(8));
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(240, 8));
        ExpectTerminated(numbers.Untyped, Bounds.Long);
    }

    [Fact]
    public void FilterMap_Tell_OriginalSenderReachesTarget()
    {
        var target = CreateTestProbe();
        var sender = CreateTestProbe();
        var numbers = ActorRef<int>.From(target.Ref).FilterMap((string s, out int n) => int.TryParse(s, out n));

        numbers.Tell("x", sender.Ref);
        numbers.Tell("12", sender.Ref);

        target.ExpectMsg(12, Bounds.Long);
        Assert.Equal(sender.Ref, target.LastSender);
        target.ExpectNoMsg(Bounds.Short);
    }

    [Fact]
    public void FilterMap_NullTryMap_Throws()
    {
        var mailbox = ObservableMailbox.Spawn<int>(Sys);

        var thrown = Assert.Throws<ArgumentNullException>(() => mailbox.Ref.FilterMap<string, int>(null!));

        Assert.Equal("tryMap", thrown.ParamName);
    }
}
