using System.Reactive.Linq;
using Akka.Actor;
using Wormhole.Reactive;

// A tour of Wormhole.Reactive: typed references, a function actor, combinators and ask.
// Prints each message as it reaches the printer, then exits 0.

using var system = ActorSystem.Create("combinators", "akka.loglevel = WARNING");
var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

ActorRef<PrinterMessage> printer = FnActor.Spawn<PrinterMessage>(system, async ctx =>
{
    var printed = 0;
    await foreach (var message in ctx.Messages)
    {
        switch (message)
        {
            case Line line:
                printed++;
                Console.WriteLine($"  printer <- {line.Text}");
                break;
            case HowMany query:
                query.Reply.Reply(printed);
                break;
        }
    }
}, name: "printer");

ActorRef<int> numbers = printer.Map((int n) => (PrinterMessage)new Line($"number {n}"));
ActorRef<int> evens = numbers.Filter(n => n % 2 == 0);
ActorRef<string> parsed = numbers.FilterMap((string s, out int n) => int.TryParse(s, out n));
ActorRef<int> firstTwo = numbers.Through((IObservable<int> xs) => xs.Take(2));

Console.WriteLine("evens: 1..6 through Filter(n % 2 == 0)");
foreach (var n in Enumerable.Range(1, 6))
{
    evens.Tell(n);
}

await WaitUntilPrinted(3);
Console.WriteLine("parsed: \"7\", \"seven\", \"8\" through FilterMap(int.TryParse)");
foreach (var s in new[] { "7", "seven", "8" })
{
    parsed.Tell(s);
}

await WaitUntilPrinted(5);
Console.WriteLine("firstTwo: an IObservable of 100, 200, 300 through Take(2)");
new[] { 100, 200, 300 }.ToObservable().Subscribe(firstTwo.AsObserver());

var total = await WaitUntilPrinted(7);
Console.WriteLine($"ask: the printer says it printed {total} lines");
await system.Terminate();
return total == 7 ? 0 : 1;

async Task<int> WaitUntilPrinted(int expected)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
    while (true)
    {
        var count = await printer.Ask<int>(port => new HowMany(port), TimeSpan.FromSeconds(5));
        if (count >= expected || DateTime.UtcNow > deadline)
        {
            return count;
        }

        await Task.Yield();
    }
}

internal abstract record PrinterMessage;

internal sealed record Line(string Text) : PrinterMessage;

internal sealed record HowMany(ReplyPort<int> Reply) : PrinterMessage;
