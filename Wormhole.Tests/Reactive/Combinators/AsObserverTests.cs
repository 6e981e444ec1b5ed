using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using Wormhole.Testing;
using Wormhole.Tests.Support;
using static Microsoft.Reactive.Testing.ReactiveTest;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Reactive.Combinators;

/// <summary><c>ref.AsObserver()</c> and <c>ref.AsObserver(onError, onCompleted)</c>: marble tests on a calling-thread actor system.</summary>
public sealed class AsObserverTests() : TestKit(DeterministicActorSystem.Config)
{
    [Fact]
    public void AsObserver_OnNext_TellsEachValue()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(220, 3),
            OnNext(230, 4));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);

        scheduler.Feed(xs, mailbox.Ref.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(220, 3),
            OnNext(230, 4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
    }

    [Fact]
    public void AsObserver_OnNext_TellsWithoutSender()
    {
        var target = CreateTestProbe();

        ActorRef<int>.From(target.Ref).AsObserver().OnNext(1); // from the test thread, whose implicit sender is TestActor

        target.ExpectMsg(1, Bounds.Long);
        Assert.Equal(Sys.DeadLetters, target.LastSender);
    }

    [Fact]
    public void AsObserver_Complete_SendsNothing()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnCompleted<int>(250),
            OnNext(260, 3));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        Watch(mailbox.Ref.Untyped);

        scheduler.Feed(xs, mailbox.Ref.AsObserver());
        scheduler.ScheduleAbsolute(300, () => mailbox.Ref.Tell(4)); // the actor outlives its source
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(300, 4));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
        ExpectNoMsg(Bounds.Short); // not Terminated
    }

    [Fact]
    public void AsObserver_Complete_WithOnCompleted_TellsItsMessage()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnCompleted<int>(250),
            OnNext(260, 3));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);

        scheduler.Feed(xs, mailbox.Ref.AsObserver(onError: null, onCompleted: () => -1));
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(250, -1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    /// <summary>A combinator's reference is its pipeline's input: the source's completion is the pipeline's, as in Rx's <c>xs.Count()</c>.</summary>
    [Fact]
    public void AsObserver_Complete_OnCombinator_CompletesItsPipeline()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(220, 3),
            OnCompleted<int>(250),
            OnNext(260, 4));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var count = mailbox.Ref.Through<int, int>(obs => obs.Count());
        Watch(count.Untyped);

        scheduler.Feed(xs, count.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(OnNext(250, 2)); // the target lives on: no completion for it
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
        ExpectTerminated(count.Untyped, Bounds.Long);
    }

    [Fact]
    public void AsObserver_Error_Rethrows()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnError<int>(250, ex),
            OnNext(260, 3));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);

        scheduler.Feed(xs, mailbox.Ref.AsObserver());
        var thrown = Assert.Throws<InvalidOperationException>(() => scheduler.Start());

        Assert.Same(ex, thrown);
        Assert.Equal(250, scheduler.Clock); // the scheduler stopped where the error was rethrown
        results.Messages.AssertEqual(OnNext(210, 2));
    }

    [Fact]
    public void AsObserver_Error_WithOnCompletedOnly_Rethrows()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 2),
            OnError<int>(250, ex));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);

        scheduler.Feed(xs, mailbox.Ref.AsObserver(onError: null, onCompleted: () => -1));
        var thrown = Assert.Throws<InvalidOperationException>(() => scheduler.Start());

        Assert.Same(ex, thrown);
        results.Messages.AssertEqual(OnNext(210, 2));
    }

    [Fact]
    public void AsObserver_Error_WithOnError_TellsItsMessage()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnError<int>(250, ex),
            OnNext(260, 3));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        Exception? seen = null;

        scheduler.Feed(xs, mailbox.Ref.AsObserver(onError: e => { seen = e; return -1; }, onCompleted: () => -2));
        scheduler.Start();

        Assert.Same(ex, seen);
        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(250, -1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void AsObserver_Dispose()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(230, 3),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);

        scheduler.Feed(xs, mailbox.Ref.AsObserver(onError: _ => -1, onCompleted: () => -2), disposed: 220);
        scheduler.Start();

        results.Messages.AssertEqual(OnNext(210, 2)); // disposing is not completing: no -2
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    /// <summary>
    /// Subscribed directly, without an Rx operator in between, a test hot observable goes on calling its
    /// observer after <c>OnCompleted</c>. Rx's own <c>Observer.Create</c> (an <c>ObserverBase</c>) ignores
    /// such calls; this observer, which its docs liken to <c>Observer.Create</c>, should too.
    /// </summary>
    [Fact]
    public void AsObserver_CallsAfterTerminal_AreIgnored()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnCompleted<int>(250),
            OnNext(260, 3),
            OnCompleted<int>(270));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        IDisposable? subscription = null;

        scheduler.ScheduleAbsolute(200, () => subscription = xs.Subscribe(mailbox.Ref.AsObserver(onError: null, onCompleted: () => -1)));
        scheduler.ScheduleAbsolute(1000, () => subscription!.Dispose());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(250, -1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
    }

    [Fact]
    public void AsObserver_NullValue_Throws()
    {
        var target = CreateTestProbe();

        Assert.Throws<ArgumentNullException>(() => ActorRef<string>.From(target.Ref).AsObserver().OnNext(null!));

        target.ExpectNoMsg(Bounds.Short);
    }
}
