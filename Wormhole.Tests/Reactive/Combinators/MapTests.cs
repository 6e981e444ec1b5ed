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

/// <summary><c>target.Map(map)</c>: marble tests on a calling-thread actor system; the new reference takes strings, the target gets their lengths.</summary>
public sealed class MapTests() : TestKit(DeterministicActorSystem.Config)
{
    [Fact]
    public void Map_Complete()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "a"),
            OnNext(210, "bb"),
            OnNext(220, ""),
            OnNext(230, "dddd"),
            OnCompleted<string>(250),
            OnNext(260, "eeeee"));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var lengths = mailbox.Ref.Map((string s) => s.Length);

        scheduler.Feed(xs, lengths.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(220, 0),
            OnNext(230, 4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void Map_Error()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "a"),
            OnNext(210, "bb"),
            OnError<string>(230, ex),
            OnNext(240, "dddd"));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var lengths = mailbox.Ref.Map((string s) => s.Length);

        scheduler.Feed(xs, lengths.AsObserver(onError: e => e.Message)); // the error's message is mapped like any other
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(230, "source failed".Length));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Fact]
    public void Map_MapThrows()
    {
        var scheduler = new RxTestScheduler();
        var ex = new FormatException("no length for !");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "a"),
            OnNext(210, "bb"),
            OnNext(220, "!"),
            OnNext(230, "dddd"));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var lengths = mailbox.Ref.Map((string s) => s == "!" ? throw ex : s.Length);
        Watch(lengths.Untyped);

        scheduler.Feed(xs, lengths.AsObserver());
        EventFilter.Exception<FormatException>("no length for !").ExpectOne(() => scheduler.Start());

        // The default supervisor restarted the intermediate actor: "dddd" still flows.
        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(230, 4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
        ExpectNoMsg(Bounds.Short); // not Terminated: the source never completes, so only the throw could have stopped it
    }

    [Fact]
    public void Map_Dispose()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "a"),
            OnNext(210, "bb"),
            OnNext(230, "dddd"),
            OnCompleted<string>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var lengths = mailbox.Ref.Map((string s) => s.Length);

        scheduler.Feed(xs, lengths.AsObserver(), disposed: 220);
        scheduler.Start();

        results.Messages.AssertEqual(OnNext(210, 2));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Fact]
    public void Map_TargetStops_StopsIntermediate()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "a"),
            OnNext(210, "bb"),
            OnNext(230, "dddd"),
            OnCompleted<string>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var lengths = mailbox.Ref.Map((string s) => s.Length);
        Watch(lengths.Untyped);

        scheduler.Feed(xs, lengths.AsObserver());
        scheduler.ScheduleAbsolute(220, mailbox.Dispose);
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnCompleted<int>(220));
        ExpectTerminated(lengths.Untyped, Bounds.Long);
    }

    [Fact]
    public void Map_PoisonPill_StopsIntermediateNotTarget()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, "a"),
            OnNext(210, "bb"),
            OnNext(230, "dddd"),
            OnCompleted<string>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var lengths = mailbox.Ref.Map((string s) => s.Length);
        Watch(lengths.Untyped);

        scheduler.Feed(xs, lengths.AsObserver());
        scheduler.ScheduleAbsolute(220, () => lengths.Untyped.Tell(PoisonPill.Instance));
        scheduler.ScheduleAbsolute(240, () => mailbox.Ref.Tell(7));
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(240, 7));
        ExpectTerminated(lengths.Untyped, Bounds.Long);
    }

    [Fact]
    public void Map_Tell_OriginalSenderReachesTarget()
    {
        var target = CreateTestProbe();
        var sender = CreateTestProbe();
        var lengths = ActorRef<int>.From(target.Ref).Map((string s) => s.Length);

        lengths.Tell("ccc", sender.Ref);

        target.ExpectMsg(3, Bounds.Long);
        Assert.Equal(sender.Ref, target.LastSender);
    }

    [Fact]
    public void Map_NullMap_Throws()
    {
        var mailbox = ObservableMailbox.Spawn<int>(Sys);

        var thrown = Assert.Throws<ArgumentNullException>(() => mailbox.Ref.Map<string, int>(null!));

        Assert.Equal("map", thrown.ParamName);
    }
}
