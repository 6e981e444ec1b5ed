// snippet: reactive-usings
using System.Reactive.Linq;   // Rx operators: Select, Take, ToObservable
using Akka.Actor;
using Wormhole.Reactive;
// end snippet
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

// snippet: reactive-messages
public sealed record Print(string Text);

public sealed record Deposit(int Amount);

public sealed record GetTotal(ReplyPort<int> Reply);
// end snippet

/// <summary>
/// The README's code, compiled and run. Each region between "// snippet: NAME" and "// end snippet"
/// must equal the README's block marked &lt;!-- snippet: NAME --&gt; (ReadmeSnippetsTests checks it).
/// </summary>
public sealed class ReadmeExamples : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public void TypedReferences()
    {
        ActorSystem system = Sys;
        IActorRef someActor = TestActor;

        // snippet: typed-references
        ActorRef<Print> printer = ActorRef<Print>.From(someActor); // you promise it handles Print
        printer.Tell(new Print("hello"));                          // only a Print compiles here
        IActorRef untyped = printer.Untyped;                       // back to Akka when needed
        // end snippet

        ExpectMsg(new Print("hello"), Bounds.Long);
        Assert.Same(someActor, untyped);
        Assert.NotNull(system);
    }

    [Fact]
    public async Task FunctionActorsAndAsk()
    {
        ActorSystem system = Sys;

        // snippet: fn-actor
        var account = FnActor.Spawn<object>(system, async ctx =>
        {
            var total = 0;                                   // state lives in the function
            await foreach (var message in ctx.Messages)      // ends when the actor stops
            {
                switch (message)
                {
                    case Deposit d: total += d.Amount; break;
                    case GetTotal q: q.Reply.Reply(total); break;
                    case "close": return;                    // returning stops the actor
                }
            }
        }, name: "account");
        // end snippet

        // snippet: ask
        account.Tell(new Deposit(30));
        account.Tell(new Deposit(12));
        int total = await account.Ask<int>(port => new GetTotal(port), TimeSpan.FromSeconds(5));
        // total == 42; no reply in 5 s throws AskTimeoutException naming the actor and the deadline
        // end snippet

        Assert.Equal(42, total);
        Watch(account.Untyped);
        account.Tell("close");
        ExpectTerminated(account.Untyped, Bounds.Long);
    }

    [Fact]
    public async Task AskTheAkkaWay()
    {
        ActorSystem system = Sys;

        // snippet: ask-sender
        var lengths = FnActor.Spawn<string>(system, async ctx =>
        {
            await foreach (var text in ctx.Messages)
            {
                ctx.Sender.Tell(text.Length);                // the Akka idiom: answer the sender
            }
        });
        int length = await lengths.Ask<int>("wormhole", TimeSpan.FromSeconds(5));
        // end snippet

        Assert.Equal(8, length);
    }

    [Fact]
    public void Combinators()
    {
        ActorRef<int> target = ActorRef<int>.From(TestActor);

        // snippet: combinators
        ActorRef<int> evens = target.Filter(x => x % 2 == 0);               // passing messages go on to target
        ActorRef<string> lengths = target.Map((string s) => s.Length);      // takes string, target gets int
        ActorRef<string> numbers = target.FilterMap((string s, out int n) => int.TryParse(s, out n));
        ActorRef<int> firstThree = target.Through((IObservable<int> xs) => xs.Take(3)); // any Rx operator

        evens.Tell(1); evens.Tell(2);      // target receives 2
        lengths.Tell("four");              // target receives 4
        numbers.Tell("x"); numbers.Tell("6"); // target receives 6
        // end snippet

        // Three intermediate actors: each keeps its own order, but not the order among them.
        Assert.Equal([2, 4, 6], ReceiveN(3, Bounds.Long).Cast<int>().Order());
        Assert.NotNull(firstThree);
    }

    [Fact]
    public void ObserversAndObservables()
    {
        ActorSystem system = Sys;
        var seen = new List<string>();

        // snippet: observables
        using var mailbox = ObservableMailbox.Spawn<string>(system);   // an actor whose mailbox is observable
        using var subscription = mailbox.AsObservable()
            .Select(s => s.ToUpperInvariant())
            .Subscribe(s => seen.Add(s));

        IObserver<string> observer = mailbox.Ref.AsObserver();          // any IObservable can feed an actor
        new[] { "a", "b" }.ToObservable().Subscribe(observer);
        // end snippet

        AwaitAssert(() => Assert.Equal(["A", "B"], seen), Bounds.Long);
    }
}
