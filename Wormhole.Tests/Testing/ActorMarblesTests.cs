using System.Reactive.Concurrency;
using Akka.TestKit.Xunit2;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using Wormhole.Testing;
using static Microsoft.Reactive.Testing.ReactiveTest;
using RxTestScheduler = Microsoft.Reactive.Testing.TestScheduler;

namespace Wormhole.Tests.Testing;

/// <summary><see cref="ActorMarbles.Feed"/> and <see cref="ActorMarbles.Record"/>, the wiring of every marble test of an actor pipeline.</summary>
public sealed class ActorMarblesTests() : TestKit(DeterministicActorSystem.Config)
{
    [Fact]
    public void Feed_SubscribesAndDisposesAtTheGivenTimes()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(250, 1),
            OnNext(310, 2),
            OnNext(390, 3),
            OnNext(410, 4));
        var results = scheduler.CreateObserver<int>();

        scheduler.Feed(xs, results, subscribed: 300, disposed: 400);
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(310, 2),
            OnNext(390, 3));
        xs.Subscriptions.AssertEqual(Subscribe(300, 400));
    }

    [Fact]
    public void Feed_ByDefault_SubscribesAt200AndDisposesAt1000()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(150, 1), OnNext(210, 2));
        var results = scheduler.CreateObserver<int>();

        scheduler.Feed(xs, results);
        scheduler.Start();

        results.Messages.AssertEqual(OnNext(210, 2));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
    }

    /// <summary>A test hot observable calls a raw observer after its completion; fed, the subscription ends there.</summary>
    [Fact]
    public void Feed_SourceCompletes_SubscriptionEndsThere()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnCompleted<int>(250),
            OnNext(260, 2));
        var results = scheduler.CreateObserver<int>();

        scheduler.Feed(xs, results);
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 1),
            OnCompleted<int>(250));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void Feed_DisposedBeforeSubscribed_Throws()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable<int>();

        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Feed(xs, scheduler.CreateObserver<int>(), subscribed: 300, disposed: 200));

        Assert.Equal("disposed", thrown.ParamName);
    }

    [Fact]
    public void Feed_NullArguments_Throw()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable<int>();
        var observer = scheduler.CreateObserver<int>();

        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => ActorMarbles.Feed(null!, xs, observer)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => scheduler.Feed(null!, observer)).ParamName);
        Assert.Equal("observer", Assert.Throws<ArgumentNullException>(() => scheduler.Feed(xs, null!)).ParamName);
    }

    [Fact]
    public void Record_MessagesAtTheirVirtualTimes_StopAsCompletion()
    {
        var scheduler = new RxTestScheduler();
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);

        scheduler.ScheduleAbsolute(210, () => mailbox.Ref.Tell(1));
        scheduler.ScheduleAbsolute(220, () => mailbox.Ref.Tell(2));
        scheduler.ScheduleAbsolute(230, mailbox.Dispose);
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 1),
            OnNext(220, 2),
            OnCompleted<int>(230));
    }

    [Fact]
    public void Record_NullArguments_Throw()
    {
        var scheduler = new RxTestScheduler();
        var mailbox = ObservableMailbox.Spawn<int>(Sys);

        Assert.Equal("scheduler", Assert.Throws<ArgumentNullException>(() => ActorMarbles.Record(null!, mailbox)).ParamName);
        Assert.Equal("mailbox", Assert.Throws<ArgumentNullException>(() => scheduler.Record<int>(null!)).ParamName);
    }
}
