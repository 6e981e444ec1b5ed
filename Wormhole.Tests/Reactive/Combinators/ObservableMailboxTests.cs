using System.Reactive.Concurrency;
using Akka.Actor;
using Akka.Event;
using Akka.TestKit.Xunit2;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using Wormhole.Testing;
using Wormhole.Tests.Support;
using static Microsoft.Reactive.Testing.ReactiveTest;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Reactive.Combinators;

/// <summary><c>ObservableMailbox.Spawn</c>: the actor's mailbox as a hot observable, in marble tests on a calling-thread actor system.</summary>
public sealed class ObservableMailboxTests() : TestKit(DeterministicActorSystem.Config)
{
    [Fact]
    public void ObservableMailbox_IsHot()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(230, 3));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        scheduler.Feed(xs, mailbox.Ref.AsObserver(), subscribed: Created);

        var results = EventFilter.DeadLetter<int>(x => x == 1).ExpectOne(() => scheduler.Start(mailbox.AsObservable));

        results.Messages.AssertEqual( // 1 came before anyone observed: a dead letter
            OnNext(210, 2),
            OnNext(230, 3));
    }

    [Fact]
    public void ObservableMailbox_Dispose_CompletesObservers()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(230, 3),
            OnNext(250, 4));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var late = scheduler.CreateObserver<int>();
        Watch(mailbox.Ref.Untyped);
        scheduler.Feed(xs, mailbox.Ref.AsObserver(), subscribed: Created);
        scheduler.ScheduleAbsolute(240, mailbox.Dispose);
        scheduler.ScheduleAbsolute(300, () => mailbox.AsObservable().Subscribe(late));

        var results = scheduler.Start(mailbox.AsObservable);

        results.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(230, 3),
            OnCompleted<int>(240));
        late.Messages.AssertEqual(OnCompleted<int>(300));
        ExpectTerminated(mailbox.Ref.Untyped, Bounds.Long);
    }

    [Fact]
    public void ObservableMailbox_Unsubscribe()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(230, 3),
            OnNext(240, 4));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        scheduler.Feed(xs, mailbox.Ref.AsObserver(), subscribed: Created);
        ITestableObserver<int>? results = null;

        EventFilter.DeadLetter<int>(x => x == 4).ExpectOne(
            () => results = scheduler.Start(mailbox.AsObservable, Created, Subscribed, disposed: 235));

        results!.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(230, 3));
    }

    [Fact]
    public void ObservableMailbox_EachObserverSeesWhatArrivesAfterItSubscribed()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(230, 3),
            OnNext(240, 4));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var early = scheduler.CreateObserver<int>();
        var later = scheduler.CreateObserver<int>();
        scheduler.Feed(xs, mailbox.Ref.AsObserver(), subscribed: Created);
        scheduler.Feed(mailbox.AsObservable(), early, subscribed: 200);
        scheduler.Feed(mailbox.AsObservable(), later, subscribed: 220, disposed: 235);

        scheduler.Start();

        early.Messages.AssertEqual(
            OnNext(210, 2),
            OnNext(230, 3),
            OnNext(240, 4));
        later.Messages.AssertEqual(OnNext(230, 3));
    }

    [Fact]
    public void ObservableMailbox_ObserverThrows_ActorRestartsAndObservableLives()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(220, 3),
            OnNext(230, 4));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox); // first in line: sees 3 before the next observer throws on it
        var ex = new InvalidOperationException("observer failed on 3");
        mailbox.AsObservable().Subscribe(x =>
        {
            if (x == 3)
            {
                throw ex;
            }
        });
        Watch(mailbox.Ref.Untyped);
        scheduler.Feed(xs, mailbox.Ref.AsObserver());

        EventFilter.Exception<InvalidOperationException>("observer failed on 3").ExpectOne(() => scheduler.Start());

        results.Messages.AssertEqual( // no completion on restart
            OnNext(210, 2),
            OnNext(220, 3),
            OnNext(230, 4));
        ExpectNoMsg(Bounds.Short); // not Terminated
    }

    [Fact]
    public void ObservableMailbox_OtherMessageType_IsUnhandledNotPublished()
    {
        var scheduler = new RxTestScheduler();
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var unhandled = CreateTestProbe();
        Sys.EventStream.Subscribe(unhandled.Ref, typeof(UnhandledMessage));

        mailbox.Ref.Untyped.Tell("not an int");

        Assert.Equal("not an int", unhandled.ExpectMsg<UnhandledMessage>(Bounds.Long).Message);
        Assert.Empty(results.Messages);
    }

    [Fact]
    public void ObservableMailbox_NullFactory_Throws()
    {
        var thrown = Assert.Throws<ArgumentNullException>(() => ObservableMailbox.Spawn<int>(null!));

        Assert.Equal("factory", thrown.ParamName);
    }
}
