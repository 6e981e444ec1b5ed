using System.Runtime.CompilerServices;
using Akka.Actor;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

// snippet: streams-contracts
[ProtoContract]
public sealed record Watch
{
    [ProtoMember(1)] public string Symbol { get; init; } = "";
    [ProtoMember(2)] public ReplyPort<Quotes>? Reply { get; init; }
}

[ProtoContract]
public sealed record Quotes
{
    [ProtoMember(1)] public IAsyncEnumerable<Quote>? Prices { get; init; }   // a stream is a field, like a reference
}

[ProtoContract]
public sealed record Quote
{
    [ProtoMember(1)] public string Symbol { get; init; } = "";
    [ProtoMember(2)] public long Cents { get; init; }
}

[ProtoContract]
public sealed record Archive
{
    [ProtoMember(1)] public IAsyncEnumerable<Quote>? Quotes { get; init; }   // an upload: the sender's own stream
    [ProtoMember(2)] public ReplyPort<long>? Stored { get; init; }
}
// end snippet

/// <summary>The README's "Streams": a stream in a reply (read, then left early) and a stream in a request (an upload).</summary>
public sealed class ReadmeStreams : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task StreamsBothWays()
    {
        var ct = CancellationToken.None;
        await using var remote = RemoteSide.Create("streams-server");
        var serverSystem = remote.System;
        var server = remote.Nexus;
        var client = Nexus.Create(Sys);

        // snippet: streams-server
        var ticker = FnActor.Spawn<Watch>(serverSystem, async ctx =>
        {
            await foreach (var watch in ctx.Messages)
            {
                watch.Reply?.Reply(new Quotes { Prices = PricesOf(watch.Symbol) });   // runs when the client reads
            }
        });
        var archive = FnActor.Spawn<Archive>(serverSystem, async ctx =>
        {
            await foreach (var upload in ctx.Messages)
            {
                var stored = 0L;
                await foreach (var quote in upload.Quotes!)   // pulls from the client, credit by credit
                {
                    stored++;
                }

                upload.Stored?.Reply(stored);
            }
        });
        server.Publish("ticker", ticker);
        server.Publish("archive", archive);
        // end snippet

        var (portal, serverPortal) = await InMemory.ConnectAsync(client, server);

        // snippet: streams-client
        ActorRef<Watch> remoteTicker = await portal.LookupAsync<Watch>("ticker", ct);
        Quotes quotes = await remoteTicker.Ask<Quotes>(port => new Watch { Symbol = "ACME", Reply = port }, TimeSpan.FromSeconds(5), ct);
        await foreach (var quote in quotes.Prices!)
        {
            Console.WriteLine($"{quote.Symbol} {quote.Cents}");
            if (quote.Cents == 102)
            {
                break;                                       // leaving the loop cancels the producer
            }
        }

        ActorRef<Archive> remoteArchive = await portal.LookupAsync<Archive>("archive", ct);
        var history = Enumerable.Range(0, 10_000).Select(i => new Quote { Symbol = "ACME", Cents = i });
        long stored = await remoteArchive.Ask<long>(port => new Archive { Quotes = history.ToAsyncEnumerable(), Stored = port }, TimeSpan.FromSeconds(30), ct);
        // end snippet

        Assert.Equal(10_000, stored);
        // Both sides forget the ticker's stream: the break cancelled it, and the producer answered.
        AwaitCondition(() => portal.Counters.Streams == 0 && serverPortal.Counters.Streams == 0, Bounds.Long);
        await client.DisposeAsync();
    }

    // snippet: streams-producer
    static async IAsyncEnumerable<Quote> PricesOf(string symbol, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var cents = 100L; ; cents++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct);   // ct fires when the consumer stops or the portal closes
            yield return new Quote { Symbol = symbol, Cents = cents };
        }
    }
    // end snippet
}
