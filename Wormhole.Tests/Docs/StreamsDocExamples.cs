using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Runtime.CompilerServices;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using ProtoBuf;
using Wormhole.Reactive;
using Wormhole.Streams;
using Wormhole.Tests.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

// snippet: streams-forms
[ProtoContract]
public sealed record MarketFeeds
{
    [ProtoMember(1)] public IAsyncEnumerable<Quote>? Prices { get; init; }             // read with await foreach
    [ProtoMember(2)] public Source<Quote, NotUsed>? Trades { get; init; }              // an Akka.Streams source
    [ProtoMember(3)] public IObservable<string>? Alerts { get; init; }                 // Rx: subscribe
    [ProtoMember(4)] public List<IAsyncEnumerable<Quote>> Shards { get; init; } = [];  // streams in a list
}
// end snippet

/// <summary>Asks the market for feeds made for one of the cases below (a test contract, not in the docs).</summary>
[ProtoContract]
public sealed record FeedsRequest
{
    [ProtoMember(1)] public string Case { get; init; } = "";
    [ProtoMember(2)] public ReplyPort<MarketFeeds>? Reply { get; init; }
}

/// <summary>docs/streams.md's code, compiled and run between two nexuses, with the behaviour the text states.</summary>
public sealed class StreamsDocExamples : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    private RemoteSide _server = null!;
    private Nexus _client = null!;
    private Portal _portal = null!;
    private Portal _serverPortal = null!;

    public async Task InitializeAsync()
    {
        _server = RemoteSide.Create("market");
        _client = Nexus.Create(Sys);
        _server.Nexus.Publish("market", FnActor.Spawn<FeedsRequest>(_server.System, async ctx =>
        {
            await foreach (var request in ctx.Messages)
            {
                request.Reply?.Reply(Feeds(request.Case));
            }
        }));
        (_portal, _serverPortal) = await InMemory.ConnectAsync(_client, _server.Nexus);
    }

    [Fact]
    public async Task TellAsync_ALoopOfAwaitedTells_ArrivesWhole()
    {
        var received = new List<FeedsRequest>();
        _server.Nexus.Publish("inbox", FnActor.Spawn<FeedsRequest>(_server.System, async ctx =>
        {
            await foreach (var request in ctx.Messages)
            {
                lock (received)
                {
                    received.Add(request);
                }
            }
        }));
        var proxy = await _portal.LookupAsync<FeedsRequest>("inbox").WaitAsync(Bounds.Long);
        using var cancellation = new CancellationTokenSource(Bounds.Long);
        var cancellationToken = cancellation.Token;

        for (var n = 0; n < 1_000; n++)
        {
            var message = new FeedsRequest { Case = $"{n}" };
            // snippet: tell-async
            await proxy.TellAsync(message, cancellationToken);
            // end snippet
        }

        await AwaitAssertAsync(() => Assert.Equal(1_000, received.Count), Bounds.Long);
        Assert.Equal(Enumerable.Range(0, 1_000).Select(n => $"{n}"), received.Select(r => r.Case));
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task EachForm_IsConsumedAsItsOwnKind()
    {
        var feeds = await FeedsAsync("all");
        var system = Sys;
        var prices = new List<long>();
        var alertsDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var alertsSeen = new List<string>();

        // snippet: streams-consume
        await foreach (var quote in feeds.Prices!)                       // IAsyncEnumerable: pull
        {
            prices.Add(quote.Cents);
        }

        IReadOnlyList<Quote> trades = await feeds.Trades!                 // Source: materialize it, once
            .Take(10)                                                     // taking 10 cancels the rest
            .RunWith(Sink.Seq<Quote>(), system.Materializer());

        using var alerts = feeds.Alerts!.Subscribe(                       // IObservable: subscribe, once
            alert => alertsSeen.Add(alert),                               // one at a time, on the thread pool
            error => alertsDone.TrySetException(error),
            () => alertsDone.TrySetResult());                             // disposing it cancels the stream
        // end snippet

        await alertsDone.Task.WaitAsync(Bounds.Long);
        Assert.Equal([100, 101, 102], prices);
        Assert.Equal(Enumerable.Range(0, 10), trades.Select(t => (int)t.Cents));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"alert {i}"), alertsSeen);
        var shards = 0;
        foreach (var shard in feeds.Shards)
        {
            await foreach (var quote in shard)
            {
                shards++;
            }
        }

        Assert.Equal(6, shards);
        AwaitCondition(() => _portal.Counters.Streams == 0 && _serverPortal.Counters.Streams == 0, Bounds.Long);
    }

    [Fact]
    public async Task ProducerFailure_TheConsumerSeesTheChosenTextOrAShortReason()
    {
        var chosen = await FeedsAsync("fail-chosen");
        var plain = await FeedsAsync("fail-plain");
        var read = new List<long>();
        string? seen = null;

        // snippet: streams-failure-consumer
        try
        {
            await foreach (var quote in chosen.Prices!)
            {
                read.Add(quote.Cents);                                    // the elements before the failure arrive
            }
        }
        catch (RemoteStreamException e)
        {
            seen = $"{e.Code}: {e.Message}";                              // "failed: the market closed"
        }
        // end snippet

        Assert.Equal([100, 101], read);
        Assert.Equal("failed: the market closed", seen);
        var error = await Assert.ThrowsAsync<RemoteStreamException>(async () =>
        {
            await foreach (var quote in plain.Prices!)
            {
            }
        });
        Assert.Equal("the producer failed", error.Message);
        Assert.Equal("failed", error.Code);
    }

    [Fact]
    public async Task AStream_IsConsumedOnce()
    {
        var feeds = await FeedsAsync("all");
        await foreach (var quote in feeds.Prices!)
        {
        }

        var error = Assert.Throws<InvalidOperationException>(() => feeds.Prices!.GetAsyncEnumerator());
        Assert.Contains("can be consumed once", error.Message);
        using var first = feeds.Alerts!.Subscribe(_ => { });
        Assert.Throws<InvalidOperationException>(() => feeds.Alerts!.Subscribe(_ => { }));
    }

    [Fact]
    public async Task ObservableDropOldest_KeepsTheNewest_AndCountsTheDrops()
    {
        var feeds = await FeedsAsync("drop-oldest");

        var alerts = await feeds.Alerts!.ToList().ToTask().WaitAsync(Bounds.Long);

        Assert.Equal(Enumerable.Range(96, 4).Select(i => $"alert {i}"), alerts);
        Assert.Equal(96, _serverPortal.Counters.Dropped);
    }

    [Fact]
    public async Task ObservableFailStream_SendsTheBuffer_ThenFailsWithTheLimit()
    {
        var feeds = await FeedsAsync("overflow");
        var alerts = new List<string>();
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);

        using var subscription = feeds.Alerts!.Subscribe(alerts.Add, e => failed.TrySetResult(e), () => failed.TrySetResult(new InvalidOperationException("completed")));
        var error = Assert.IsType<RemoteStreamException>(await failed.Task.WaitAsync(Bounds.Long));

        Assert.Equal(Enumerable.Range(0, 1024).Select(i => $"alert {i}"), alerts);
        Assert.Equal("ObservableBufferSize", error.Code);
    }

    [Fact]
    public async Task ConsumerStops_AnIteratorWithEnumeratorCancellation_SeesItsTokenAtOnce()
    {
        var feeds = await FeedsAsync("token");

        await foreach (var quote in feeds.Prices!)
        {
            break;
        }

        await TokenIteratorFinally.Task.WaitAsync(Bounds.Long);   // it waits on Task.Delay(Infinite, ct): only the token ends it
    }

    [Fact]
    public async Task ConsumerStops_AnIteratorWithoutEnumeratorCancellation_StopsAtItsNextElement()
    {
        var feeds = await FeedsAsync("gated");

        await foreach (var quote in feeds.Prices!)
        {
            break;
        }

        AwaitCondition(() => _serverPortal.Counters.Streams == 0, Bounds.Long);   // the producer ended the stream (StreamEnd cancelled)…
        Assert.False(GatedIteratorFinally.Task.IsCompleted);                       // …but its iterator still waits for the gate
        Gate.SetResult();
        await GatedIteratorFinally.Task.WaitAsync(Bounds.Long);                   // its next element is discarded, then it is disposed
    }

    [Fact]
    public async Task AStreamNobodyReads_EndsOnBothSides_AndALateReaderGetsSubscriptionTimeout()
    {
        var options = new NexusOptions { StreamSubscriptionTimeout = TimeSpan.FromSeconds(1) };
        await using var server = RemoteSide.Create("timeout-server", options);
        await using var client = RemoteSide.Create("timeout-client", options);
        server.Nexus.Publish("market", FnActor.Spawn<FeedsRequest>(server.System, async ctx =>
        {
            await foreach (var request in ctx.Messages)
            {
                request.Reply?.Reply(new MarketFeeds { Prices = Quotes(100, 3) });
            }
        }));
        var (portal, serverPortal) = await InMemory.ConnectAsync(client.Nexus, server.Nexus);
        var market = await portal.LookupAsync<FeedsRequest>("market").WaitAsync(Bounds.Long);
        var feeds = await market.Ask<MarketFeeds>(port => new FeedsRequest { Reply = port }, Bounds.Long);

        AwaitCondition(() => portal.Counters.Streams == 0 && serverPortal.Counters.Streams == 0, Bounds.Long);
        var error = await Assert.ThrowsAsync<RemoteStreamException>(async () =>
        {
            await foreach (var quote in feeds.Prices!)
            {
            }
        });

        Assert.Equal("subscription-timeout", error.Code);
    }

    [Fact]
    public async Task PortalCloses_TheConsumerFailsWithPortalClosed_AndTheProducerIsCancelled()
    {
        var feeds = await FeedsAsync("token-close");
        var read = 0;

        var error = await Assert.ThrowsAsync<PortalClosedException>(async () =>
        {
            await foreach (var quote in feeds.Prices!)
            {
                if (++read == 1)
                {
                    await _serverPortal.CloseAsync("closing for the test");
                }
            }
        });

        Assert.Equal(1, read);
        Assert.NotNull(error.Reason);
        await ClosedIteratorFinally.Task.WaitAsync(Bounds.Long);
        Assert.Equal(0, _portal.Counters.Streams);
    }

    [Fact]
    public void StreamOptions_AreValid()
    {
        // snippet: streams-options
        var options = new NexusOptions
        {
            MaxStreams = 20,                                     // open streams per portal, each direction
            MaxStreamWindowBytes = 1024 * 1024,                  // a consumer buffers at most this + one element per stream
            StreamSubscriptionTimeout = TimeSpan.FromSeconds(10),
            ObservableOverflow = ObservableOverflowPolicy.DropOldest,
        };
        // end snippet

        using var system = Akka.Actor.ActorSystem.Create("options", "akka.loglevel = WARNING");
        Assert.NotNull(Nexus.Create(system, options));
    }

    private async Task<MarketFeeds> FeedsAsync(string @case)
    {
        var market = await _portal.LookupAsync<FeedsRequest>("market").WaitAsync(Bounds.Long);
        return await market.Ask<MarketFeeds>(port => new FeedsRequest { Case = @case, Reply = port }, Bounds.Long);
    }

    private static MarketFeeds Feeds(string @case) => @case switch
    {
        "fail-chosen" => new MarketFeeds { Prices = UntilTheClose() },
        "fail-plain" => new MarketFeeds { Prices = Failing() },
        "drop-oldest" => DropOldest(),
        "token" => new MarketFeeds { Prices = UntilCancelled(TokenIteratorFinally) },
        "token-close" => new MarketFeeds { Prices = UntilCancelled(ClosedIteratorFinally) },
        "gated" => new MarketFeeds { Prices = Gated() },
        "overflow" => new MarketFeeds { Alerts = Observable.Range(0, 2000).Select(i => $"alert {i}") },
        _ => new MarketFeeds
        {
            Prices = Quotes(100, 3),
            Trades = Source.From(Enumerable.Range(0, 1_000_000)).Select(i => new Quote { Symbol = "ACME", Cents = i }),
            Alerts = Observable.Range(0, 5).Select(i => $"alert {i}"),
            Shards = [Quotes(0, 3), Quotes(10, 3)],
        },
    };

    private static MarketFeeds DropOldest()
    {
        // snippet: streams-observable-buffer
        var alerts = Observable.Range(0, 100).Select(i => $"alert {i}");   // pushes all 100 inside Subscribe
        var feeds = new MarketFeeds { Alerts = alerts.WithStreamBuffer(4, ObservableOverflowPolicy.DropOldest) };
        // the consumer gets "alert 96" to "alert 99"; the 96 drops are logged and counted in the producer's Counters.Dropped
        // end snippet
        return feeds;
    }

    private static async IAsyncEnumerable<Quote> Quotes(long from, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return new Quote { Symbol = "ACME", Cents = from + i };
        }
    }

    // snippet: streams-failure-producer
    static async IAsyncEnumerable<Quote> UntilTheClose()
    {
        yield return new Quote { Symbol = "ACME", Cents = 100 };
        yield return new Quote { Symbol = "ACME", Cents = 101 };
        await Task.Yield();
        throw new RemoteStreamException("the market closed");   // the text the consumer sees
    }
    // end snippet

    private static readonly TaskCompletionSource TokenIteratorFinally = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TaskCompletionSource ClosedIteratorFinally = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TaskCompletionSource GatedIteratorFinally = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TaskCompletionSource Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static async IAsyncEnumerable<Quote> UntilCancelled(TaskCompletionSource @finally, [EnumeratorCancellation] CancellationToken ct = default)
    {
        try
        {
            yield return new Quote { Symbol = "ACME", Cents = 100 };
            await Task.Delay(Timeout.Infinite, ct);
        }
        finally
        {
            @finally.TrySetResult();
        }
    }

    private static async IAsyncEnumerable<Quote> Gated()
    {
        try
        {
            yield return new Quote { Symbol = "ACME", Cents = 100 };
            await Gate.Task;
            yield return new Quote { Symbol = "ACME", Cents = 101 };
            await Task.Delay(Timeout.Infinite);
        }
        finally
        {
            GatedIteratorFinally.TrySetResult();
        }
    }

    private static async IAsyncEnumerable<Quote> Failing()
    {
        await Task.Yield();
        yield return new Quote { Symbol = "ACME", Cents = 100 };
        throw new InvalidOperationException("a detail for the producer's log only");
    }
}
