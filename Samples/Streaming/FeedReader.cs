using System.Diagnostics;
using Akka.Actor;
using Wormhole.Reactive;

namespace StreamingSample;

/// <summary>
/// The client's half of the live feed: subscribes, reads the quotes slowly (<c>--rate</c> a second), prints a progress
/// line each second with how far the server's producer is ahead, and stops reading after <c>--seconds</c>, which cancels
/// the producer.
/// </summary>
internal static class FeedReader
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Reads the feed; true when every quote arrived in order and the producer stayed within <paramref name="window"/> of the reader.</summary>
    /// <param name="system">Where the actor that takes the producer's status reports runs.</param>
    /// <param name="ticker">The server's ticker.</param>
    /// <param name="window">The credit this side's portal grants a stream ahead of what it has read (<c>NexusOptions.StreamWindowElements</c>).</param>
    /// <param name="duration">How long to read.</param>
    /// <param name="rate">How many quotes to read a second.</param>
    public static async Task<bool> RunAsync(ActorSystem system, ActorRef<Subscribe> ticker, int window, TimeSpan duration, int rate)
    {
        var progress = new Progress();
        var status = FnActor.Spawn<ProducerStatus>(system, async ctx =>
        {
            await foreach (var report in ctx.Messages)
            {
                progress.Produced(report.Produced);
            }
        });
        var feed = await ticker.Ask<QuoteFeed>(port => new Subscribe { Symbol = "WHL", Reply = port, Status = status }, Patience);
        Console.WriteLine($"client: feed: subscribed; reading {rate} quotes/s for {duration.TotalSeconds:0.#} s, with a window of {window} quotes");

        var clock = Stopwatch.StartNew();
        var nextLine = TimeSpan.FromSeconds(1);
        Quote? last = null;
        await foreach (var quote in feed.Quotes!) // leaving the loop disposes the enumeration: the server's producer is cancelled
        {
            if (quote.Sequence != progress.Received + 1)
            {
                Console.WriteLine($"client: feed: quote {quote.Sequence} arrived where {progress.Received + 1} was next");
                return false;
            }

            progress.Read();
            last = quote;
            if (clock.Elapsed >= nextLine)
            {
                Console.WriteLine($"client: feed: {progress.Received,5:N0} quotes, {progress.Received / clock.Elapsed.TotalSeconds,3:0}/s, last {quote.Symbol} {quote.Price:0.00}; the producer has made {progress.LastProduced,5:N0}: {progress.LastProduced - progress.Received,3} ahead");
                nextLine += TimeSpan.FromSeconds(1);
            }

            if (clock.Elapsed >= duration)
            {
                break;
            }

            if (TimeSpan.FromSeconds((double)progress.Received / rate) - clock.Elapsed is { Ticks: > 0 } early)
            {
                await Task.Delay(early); // the slow reader: nothing more is read meanwhile, so the portal grants no more credit
            }
        }

        system.Stop(status.Untyped);
        Console.WriteLine(
            $"client: feed: stopped reading after {clock.Elapsed.TotalSeconds:0.0} s: {progress.Received:N0} quotes, the last {last?.Symbol} {last?.Price:0.00}; " +
            $"the producer was at most {progress.MaxAhead:N0} ahead (window {window})");
        return progress.MaxAhead <= window;
    }

    /// <summary>What the reader read and what the producer reported, from two threads.</summary>
    private sealed class Progress
    {
        private long _received;
        private long _produced;
        private long _maxAhead;

        public long Received => Interlocked.Read(ref _received);

        public long LastProduced => Interlocked.Read(ref _produced);

        /// <summary>The most the producer was ahead of the reader when it reported.</summary>
        public long MaxAhead => Interlocked.Read(ref _maxAhead);

        public void Read() => Interlocked.Increment(ref _received);

        public void Produced(long produced)
        {
            Interlocked.Exchange(ref _produced, produced);
            var ahead = produced - Received;
            if (ahead > MaxAhead)
            {
                Interlocked.Exchange(ref _maxAhead, ahead); // one writer: the status actor
            }
        }
    }
}
