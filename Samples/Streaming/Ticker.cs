using System.Runtime.CompilerServices;
using Akka.Actor;
using Wormhole.Reactive;

namespace StreamingSample;

/// <summary>
/// The server's ticker, published as <see cref="PublishedName"/>: answers each <see cref="Subscribe"/> with a
/// <see cref="QuoteFeed"/> whose producer makes quotes as fast as it is asked to, forever. Only the client's credit
/// holds it back, and the client cancels it when it has read enough.
/// </summary>
internal static class Ticker
{
    public const string PublishedName = "ticker";

    private static readonly TimeSpan StatusInterval = TimeSpan.FromMilliseconds(100);

    public static ActorRef<Subscribe> Spawn(ActorSystem system) =>
        FnActor.Spawn<Subscribe>(system, async ctx =>
        {
            var feeds = 0;
            await foreach (var subscribe in ctx.Messages)
            {
                var feed = ++feeds;
                Console.WriteLine($"server: ticker: feed {feed} of {subscribe.Symbol} subscribed");
                try
                {
                    // The producer below starts only when the client starts reading, on the portal's schedule, not here.
                    subscribe.Reply?.Reply(new QuoteFeed { Quotes = Quotes(feed, subscribe.Symbol, subscribe.Status) });
                }
                catch (ReplyPortException e)
                {
                    Console.WriteLine($"server: ticker: feed {feed} not sent: {e.Message}");
                }
            }
        }, name: PublishedName);

    /// <summary>An endless producer: no delay between quotes. The portal pulls it only while the client has credit left.</summary>
    private static async IAsyncEnumerable<Quote> Quotes(int feed, string symbol, ActorRef<ProducerStatus>? status, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Console.WriteLine($"server: ticker: feed {feed} producer started");
        long produced = 0;
        using var stopReporting = new CancellationTokenSource();
        var reporting = status is null ? Task.CompletedTask : ReportAsync(() => Interlocked.Read(ref produced), status, stopReporting.Token);
        try
        {
            var random = new Random(feed);
            var price = 100.0;
            while (!cancellationToken.IsCancellationRequested)
            {
                price = Math.Max(0.01, Math.Round(price * (1 + ((random.NextDouble() - 0.5) / 500)), 2));
                yield return new Quote { Symbol = symbol, Sequence = Interlocked.Increment(ref produced), Price = price };
            }
        }
        finally
        {
            // Runs when the client disposes its enumeration (the token has fired) or its portal closes.
            await stopReporting.CancelAsync();
            await reporting;
            var why = cancellationToken.IsCancellationRequested ? "cancelled by the client" : "stopped";
            Console.WriteLine($"server: ticker: feed {feed} producer {why} after {produced:N0} quotes");
        }
    }

    /// <summary>Tells <paramref name="status"/> the producer's count every <see cref="StatusInterval"/> while it changes.</summary>
    private static async Task ReportAsync(Func<long> produced, ActorRef<ProducerStatus> status, CancellationToken stop)
    {
        using var ticks = new PeriodicTimer(StatusInterval);
        var last = 0L;
        try
        {
            while (await ticks.WaitForNextTickAsync(stop))
            {
                if (produced() is var now && now != last)
                {
                    status.Tell(new ProducerStatus { Produced = now });
                    last = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the feed ended
        }
    }
}
