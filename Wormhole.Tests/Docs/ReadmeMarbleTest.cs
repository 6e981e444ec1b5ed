// The README's "Marble-testing your pipelines": a whole test file, as a user would write it in their own test project.
// snippet: marble-test
using System.Reactive.Linq;
using Akka.TestKit.Xunit2;
using Microsoft.Reactive.Testing;
using Wormhole.Reactive;
using Wormhole.Testing;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace MyApp.Tests;

public sealed class TotalsTests() : TestKit(DeterministicActorSystem.Config) // a tell returns once it is handled
{
    [Fact]
    public void Totals_SumEveryFiftyTicks_ThenKeepARunningTotal()
    {
        var scheduler = new TestScheduler();                 // Rx's, not Akka.TestKit's
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(260, 4),
            OnCompleted<int>(280));
        var mailbox = ObservableMailbox.Spawn<int>(Sys);     // the end of the pipeline, recorded
        var results = scheduler.Record(mailbox);
        var totals = FnActor.Spawn<int>(Sys, async ctx =>    // a function actor as a stage
        {
            var total = 0;
            await foreach (var sum in ctx.Messages)
            {
                total += sum;
                mailbox.Ref.Tell(total);
            }
        });
        var sums = totals.Through((IObservable<int> ns) => ns
            .Buffer(TimeSpan.FromTicks(50), scheduler)       // time comes from the test's scheduler
            .Where(batch => batch.Count > 0)
            .Select(batch => batch.Sum()));

        scheduler.Feed(xs, sums.AsObserver());               // subscribes at 200, disposes at 1000
        scheduler.Start();

        results.Messages.AssertEqual(
            OnNext(250, 3),                                  // 1 + 2, at the end of the window
            OnNext(280, 7));                                 // + 4: the last batch, when xs completes
        xs.Subscriptions.AssertEqual(Subscribe(200, 280));
    }
}
// end snippet
