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

/// <summary><c>target.Filter(predicate)</c>: marble tests on a calling-thread actor system.</summary>
public sealed class FilterTests() : TestKit(DeterministicActorSystem.Config)
{
    [Fact]
    public void Filter_Complete()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 3),
            OnNext(220, 4),
            OnNext(230, 5),
            OnNext(240, 6),
            OnCompleted<int>(250),
            OnNext(260, 8));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var evens = mailbox.Ref.Filter(IsEven);
        Watch(evens.Untyped);

        scheduler.Feed(xs, evens.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual( // no completion: the target lives on
            OnNext(220, 4),
            OnNext(240, 6));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
        ExpectTerminated(evens.Untyped, Bounds.Long); // the source's completion was the filter's, as for Rx's Where
    }

    [Fact]
    public void Filter_Error()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 3),
            OnNext(220, 4),
            OnError<int>(230, ex),
            OnNext(240, 6));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var evens = mailbox.Ref.Filter(IsEven);

        scheduler.Feed(xs, evens.AsObserver(onError: _ => -2)); // the error's message passes the filter like any other
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(220, 4),
            OnNext(230, -2));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Fact]
    public void Filter_PredicateThrows()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("predicate failed on 5");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(220, 5),
            OnNext(230, 6),
            OnNext(240, 7),
            OnNext(245, 8));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var evens = mailbox.Ref.Filter(x => x == 5 ? throw ex : IsEven(x));
        Watch(evens.Untyped);

        scheduler.Feed(xs, evens.AsObserver());
        EventFilter.Exception<InvalidOperationException>("predicate failed on 5").ExpectOne(() => scheduler.Start());

        // The default supervisor restarted the intermediate actor: 6 and 8 still flow.
        results.Messages.AssertEqual(
            OnNext(210, 4),
            OnNext(230, 6),
            OnNext(245, 8));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
        ExpectNoMsg(Bounds.Short); // not Terminated: the source never completes, so only the throw could have stopped it
    }

    [Fact]
    public void Filter_Dispose()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(220, 5),
            OnNext(230, 6),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var evens = mailbox.Ref.Filter(IsEven);

        scheduler.Feed(xs, evens.AsObserver(), disposed: 225);
        scheduler.Start();

        results.Messages.AssertEqual(OnNext(210, 4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 225));
    }

    [Fact]
    public void Filter_TargetStops_StopsIntermediate()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(230, 6),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var evens = mailbox.Ref.Filter(IsEven);
        Watch(evens.Untyped);

        scheduler.Feed(xs, evens.AsObserver());
        scheduler.ScheduleAbsolute(220, mailbox.Dispose);
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 4),
            OnCompleted<int>(220));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
        ExpectTerminated(evens.Untyped, Bounds.Long);
    }

    [Fact]
    public void Filter_PoisonPill_StopsIntermediateNotTarget()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(230, 6),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var evens = mailbox.Ref.Filter(IsEven);
        Watch(evens.Untyped);

        scheduler.Feed(xs, evens.AsObserver());
        scheduler.ScheduleAbsolute(220, () => evens.Untyped.Tell(PoisonPill.Instance));
        scheduler.ScheduleAbsolute(240, () => mailbox.Ref.Tell(8));
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 4),
            OnNext(240, 8));
        ExpectTerminated(evens.Untyped, Bounds.Long);
    }

    [Fact]
    public void Filter_Tell_OriginalSenderReachesTarget()
    {
        var target = CreateTestProbe();
        var sender = CreateTestProbe();
        var evens = ActorRef<int>.From(target.Ref).Filter(IsEven);

        evens.Tell(3, sender.Ref);
        evens.Tell(4, sender.Ref);

        target.ExpectMsg(4, Bounds.Long);
        Assert.Equal(sender.Ref, target.LastSender);
        target.ExpectNoMsg(Bounds.Short);
    }

    [Fact]
    public async Task Filter_Ask_IsAnsweredByTarget()
    {
        var tenfold = Sys.ActorOf(Props.Create(() => new Tenfold()));
        var evens = ActorRef<int>.From(tenfold).Filter(IsEven);

        var reply = await evens.Untyped.Ask<int>(4, Bounds.Long);

        Assert.Equal(40, reply);
    }

    [Fact]
    public void Filter_FactoryAndName_SpawnThere()
    {
        var mailbox = ObservableMailbox.Spawn<int>(Sys);

        var bySystem = mailbox.Ref.Filter(IsEven);
        var byFactory = mailbox.Ref.Filter(IsEven, Sys, "evens");

        Assert.Equal(((ExtendedActorSystem)Sys).SystemGuardian.Path, bySystem.Path.Parent); // a system actor by default
        Assert.Equal(((ExtendedActorSystem)Sys).Guardian.Path / "evens", byFactory.Path);
    }

    [Fact]
    public void Filter_NullArguments_Throw()
    {
        var mailbox = ObservableMailbox.Spawn<int>(Sys);

        Assert.Equal("predicate", Assert.Throws<ArgumentNullException>(() => mailbox.Ref.Filter(null!)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => ActorRefCombinators.Filter<int>(null!, IsEven)).ParamName);
    }

    private static bool IsEven(int x) => x % 2 == 0;

    private sealed class Tenfold : ReceiveActor
    {
        public Tenfold() => Receive<int>(x => Sender.Tell(x * 10));
    }
}
