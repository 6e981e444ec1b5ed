using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
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

/// <summary><c>target.Through(pipeline)</c>: marble tests on a calling-thread actor system, with Rx pipelines of one or more operators.</summary>
public sealed class ThroughTests() : TestKit(DeterministicActorSystem.Config)
{
    private static readonly TimeSpan FiveTicks = TimeSpan.FromTicks(5);

    [Fact]
    public void Through_Complete()
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
        var tenfoldEvens = mailbox.Ref.Through<int, int>(obs => obs.Where(x => x % 2 == 0).Select(x => x * 10));

        scheduler.Feed(xs, tenfoldEvens.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(220, 40),
            OnNext(240, 60));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Fact]
    public void Through_Error()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnError<int>(230, ex),
            OnNext(240, 6));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var tenfold = mailbox.Ref.Through<int, int>(obs => obs.Select(x => x * 10));
        Watch(tenfold.Untyped);

        scheduler.Feed(xs, tenfold.AsObserver(onError: _ => -1)); // the source's error is a message, not a pipeline error
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 40),
            OnNext(230, -10));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
        ExpectTerminated(tenfold.Untyped, Bounds.Long); // after its message, the source's end is the pipeline's
    }

    [Fact]
    public void Through_ErrorRethrown_PipelineLivesOn()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("source failed");
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 4),
            OnError<int>(230, ex));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var tenfold = mailbox.Ref.Through<int, int>(obs => obs.Select(x => x * 10));
        Watch(tenfold.Untyped);

        scheduler.Feed(xs, tenfold.AsObserver());
        Assert.Same(ex, Assert.Throws<InvalidOperationException>(() => scheduler.Start()));
        tenfold.Tell(6); // at 230, where the scheduler stopped

        results.Messages.AssertEqual(
            OnNext(210, 40),
            OnNext(230, 60));
        ExpectNoMsg(Bounds.Short); // not Terminated
    }

    [Fact]
    public void Through_PipelineThrows()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("selector failed on 5");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(220, 5),
            OnNext(230, 6));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var tenfold = mailbox.Ref.Through<int, int>(obs => obs.Select(x => x == 5 ? throw ex : x * 10));
        Watch(tenfold.Untyped);

        scheduler.Feed(xs, tenfold.AsObserver());
        EventFilter.Exception<InvalidOperationException>("selector failed on 5").ExpectOne(() => scheduler.Start());

        results.Messages.AssertEqual(
            OnNext(210, 40),
            OnNext(230, 60));
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
        ExpectNoMsg(Bounds.Short); // not Terminated: the source never completes, so only the throw could have stopped it
    }

    [Fact]
    public void Through_PipelineThrows_RestartBuildsFreshPipeline()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(230, 0),
            OnNext(240, 4),
            OnNext(245, 5),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var sums = mailbox.Ref.Through<int, int>(obs => obs
            .Select(x => x == 0 ? throw new DivideByZeroException("zero") : x)
            .Scan((sum, x) => sum + x));

        scheduler.Feed(xs, sums.AsObserver());
        EventFilter.Exception<DivideByZeroException>("zero").ExpectOne(() => scheduler.Start());

        // The running sum starts again after the restart: the pipeline is built anew.
        results.Messages.AssertEqual(
            OnNext(210, 1),
            OnNext(220, 3),
            OnNext(240, 4),
            OnNext(245, 9));
    }

    [Fact]
    public void Through_PipelineThrowsOnSchedulerTick()
    {
        var scheduler = new RxTestScheduler();
        var ex = new InvalidOperationException("selector failed on 5");
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(220, 5),
            OnNext(230, 6),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var delayed = mailbox.Ref.Through<int, int>(obs => obs
            .Delay(FiveTicks, scheduler)
            .Select(x => x == 5 ? throw ex : x)); // throws at 225, outside any receive of the intermediate actor

        scheduler.Feed(xs, delayed.AsObserver());
        EventFilter.Exception<InvalidOperationException>("selector failed on 5").ExpectOne(() => scheduler.Start());

        results.Messages.AssertEqual(
            OnNext(215, 4),
            OnNext(235, 6));
    }

    [Fact]
    public void Through_Dispose()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(230, 6),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var tenfold = mailbox.Ref.Through<int, int>(obs => obs.Select(x => x * 10));

        scheduler.Feed(xs, tenfold.AsObserver(), disposed: 220);
        scheduler.Start();

        results.Messages.AssertEqual(OnNext(210, 40));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Fact]
    public void Through_PipelineCompletes_StopsIntermediate()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(220, 3),
            OnNext(230, 4),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var firstTwo = mailbox.Ref.Through<int, int>(obs => obs.Take(2));
        Watch(firstTwo.Untyped);

        scheduler.Feed(xs, firstTwo.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual( // no completion: the target lives on
            OnNext(210, 2),
            OnNext(220, 3));
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
        ExpectTerminated(firstTwo.Untyped, Bounds.Long);
    }

    [Fact]
    public void Through_PipelineCompletesOnSchedulerTick_StopsIntermediate()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 2),
            OnNext(220, 3),
            OnNext(230, 4),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var firstTwo = mailbox.Ref.Through<int, int>(obs => obs.Take(2).Delay(FiveTicks, scheduler)); // completes at 225
        Watch(firstTwo.Untyped);

        scheduler.Feed(xs, firstTwo.AsObserver());
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(215, 2),
            OnNext(225, 3));
        ExpectTerminated(firstTwo.Untyped, Bounds.Long);
    }

    /// <summary>
    /// Rx's <c>xs.Buffer(t).Subscribe(o)</c> emits the last batch when <c>xs</c> completes, and its timer stops there.
    /// Fed through <c>AsObserver()</c>, the source's completion must reach the pipeline the same way.
    /// </summary>
    [Fact]
    public void Through_SourceCompletes_TimeBasedPipelineFlushesAndCompletes()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(260, 4),
            OnCompleted<int>(280));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var sums = mailbox.Ref.Through<int, int>(obs => obs
            .Buffer(TimeSpan.FromTicks(50), scheduler) // windows from 0, when the pipeline is built
            .Where(batch => batch.Count > 0)
            .Select(batch => batch.Sum()));
        Watch(sums.Untyped);

        scheduler.Feed(xs, sums.AsObserver());
        scheduler.AdvanceTo(1000); // bounded: a pipeline that never completes keeps Buffer's timer going, and Start() never returns

        results.Messages.AssertEqual(
            OnNext(250, 3),
            OnNext(280, 4)); // the last batch, flushed by the completion
        xs.Subscriptions.AssertEqual(Subscribe(200, 280));
        ExpectTerminated(sums.Untyped, Bounds.Long);
    }

    [Fact]
    public void Through_SourceCompletedWhileDraining_LaterInputGoesToDeadLetters()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 2),
            OnNext(248, 3),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var delayed = mailbox.Ref.Through<int, int>(obs => obs.Delay(FiveTicks, scheduler)); // completes at 255
        Watch(delayed.Untyped);
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));

        scheduler.Feed(xs, delayed.AsObserver());
        scheduler.ScheduleAbsolute(252, () => delayed.Tell(4));
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(215, 2),
            OnNext(253, 3));
        Assert.Equal(4, ExpectMsg<DeadLetter>(Bounds.Long).Message);
        ExpectTerminated(delayed.Untyped, Bounds.Long);
    }

    /// <summary>A combinator's target may be fed by other references too (a fan-in): the pipeline's completion ends only its own actor.</summary>
    [Fact]
    public void Through_PipelineCompletes_CombinatorTargetLivesOn()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 1),
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(230, 3),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var tenfold = mailbox.Ref.Map((int x) => x * 10);
        var firstTwo = tenfold.Through<int, int>(obs => obs.Take(2));
        var evens = tenfold.Filter(x => x % 2 == 0);
        Watch(firstTwo.Untyped);
        Watch(tenfold.Untyped);

        scheduler.Feed(xs, firstTwo.AsObserver());
        scheduler.ScheduleAbsolute(240, () => evens.Tell(4));
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 10),
            OnNext(220, 20),
            OnNext(240, 40));
        ExpectTerminated(firstTwo.Untyped, Bounds.Long);
        ExpectNoMsg(Bounds.Short); // tenfold is not Terminated
    }

    [Fact]
    public void Through_TargetStops_StopsIntermediate()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(230, 6),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var tenfold = mailbox.Ref.Through<int, int>(obs => obs.Select(x => x * 10));
        Watch(tenfold.Untyped);

        scheduler.Feed(xs, tenfold.AsObserver());
        scheduler.ScheduleAbsolute(220, mailbox.Dispose);
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 40),
            OnCompleted<int>(220));
        ExpectTerminated(tenfold.Untyped, Bounds.Long);
    }

    [Fact]
    public void Through_PoisonPill_StopsIntermediateNotTarget()
    {
        var scheduler = new RxTestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(150, 2),
            OnNext(210, 4),
            OnNext(230, 6),
            OnCompleted<int>(250));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);
        var results = scheduler.Record(mailbox);
        var tenfold = mailbox.Ref.Through<int, int>(obs => obs.Select(x => x * 10));
        Watch(tenfold.Untyped);

        scheduler.Feed(xs, tenfold.AsObserver());
        scheduler.ScheduleAbsolute(220, () => tenfold.Untyped.Tell(PoisonPill.Instance));
        scheduler.ScheduleAbsolute(240, () => mailbox.Ref.Tell(7));
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(210, 40),
            OnNext(240, 7));
        ExpectTerminated(tenfold.Untyped, Bounds.Long);
    }

    [Fact]
    public void Through_Tell_OriginalSenderReachesTarget()
    {
        var target = CreateTestProbe();
        var sender = CreateTestProbe();
        var twice = ActorRef<int>.From(target.Ref).Through<int, int>(obs => obs.SelectMany(x => new[] { x, x }));

        twice.Tell(3, sender.Ref);

        target.ExpectMsg(3, Bounds.Long);
        Assert.Equal(sender.Ref, target.LastSender);
        target.ExpectMsg(3, Bounds.Long);
        Assert.Equal(sender.Ref, target.LastSender);
    }

    [Fact]
    public void Through_OutputOnSchedulerTick_SenderIsIntermediate()
    {
        var scheduler = new RxTestScheduler();
        var target = CreateTestProbe();
        var sender = CreateTestProbe();
        var delayed = ActorRef<int>.From(target.Ref).Through<int, int>(obs => obs.Delay(FiveTicks, scheduler));

        delayed.Tell(3, sender.Ref);
        target.ExpectNoMsg(Bounds.Short);
        scheduler.AdvanceBy(FiveTicks.Ticks);

        target.ExpectMsg(3, Bounds.Long);
        Assert.Equal(delayed.Untyped, target.LastSender); // the original sender is gone by then
    }

    [Fact]
    public void Through_NullPipeline_Throws()
    {
        var mailbox = ObservableMailbox.Spawn<int>(Sys);

        var thrown = Assert.Throws<ArgumentNullException>(() => mailbox.Ref.Through<int, int>(null!));

        Assert.Equal("pipeline", thrown.ParamName);
    }

    [Fact]
    public async Task Through_OutputOnAnotherThreadDuringReceive_ReachesTarget()
    {
        var target = CreateTestProbe();
        var elsewhere = new Subject<int>();
        using var receiving = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var merged = ActorRef<int>.From(target.Ref).Through<int, int>(obs => obs
            .Do(_ =>
            {
                receiving.Set();
                release.Wait(Bounds.Long);
            })
            .Merge(elsewhere));

        var telling = Task.Run(() => merged.Tell(1)); // the intermediate receives 1 on this task's thread and blocks there
        Assert.True(receiving.Wait(Bounds.Long));
        // Meanwhile the pipeline emits on a pool thread, as a time-based operator or another actor's observable would.
        var emitting = await Task.Run(() => Record.Exception(() => elsewhere.OnNext(2)));
        release.Set();
        await telling;

        Assert.Null(emitting);
        target.ExpectMsg(2, Bounds.Long);
        Assert.Equal(merged.Untyped, target.LastSender);
        target.ExpectMsg(1, Bounds.Long);
    }
}
